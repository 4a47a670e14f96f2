//! The three remote unlocking services (`dji-remote-unlocking-mqtt.txt`) on top of
//! [`DeviceLink::call`], with the checks the generic call cannot make.

use super::{DeviceError, DeviceLink};
use pilot_portal_shared::unlock::{
    methods, DeviceModelDomain, LicenseFile, LicenseListReply, LicenseListRequest,
    LicenseSwitchReply, LicenseSwitchRequest, LicenseUpdateReply, LicenseUpdateRequest,
};
use std::time::Duration;

impl DeviceLink {
    /// `unlock_license_list`. Unknown or malformed licenses come back as `LicenseKind::Other`.
    pub async fn list_licenses(
        &self,
        gateway_sn: &str,
        domain: DeviceModelDomain,
        timeout: Duration,
    ) -> Result<LicenseListReply, DeviceError> {
        let request = LicenseListRequest {
            device_model_domain: domain,
        };
        self.call(gateway_sn, methods::LIST, &request, timeout)
            .await
    }

    /// `unlock_license_switch`. A reply naming another license is malformed.
    pub async fn switch_license(
        &self,
        gateway_sn: &str,
        license_id: i64,
        enable: bool,
        timeout: Duration,
    ) -> Result<LicenseSwitchReply, DeviceError> {
        let request = LicenseSwitchRequest { license_id, enable };
        let reply: LicenseSwitchReply = self
            .call(gateway_sn, methods::SWITCH, &request, timeout)
            .await?;
        match reply.license_id {
            Some(id) if id != license_id => Err(DeviceError::Malformed(
                "switch reply names another license".into(),
            )),
            _ => Ok(reply),
        }
    }

    /// `unlock_license_update`: from `file` (the device downloads it and checks its MD5), or
    /// without one from the Flysafe server. DJI documents no result codes, so which codes mean
    /// "fingerprint mismatch" is the caller's setting (`mismatch_codes`).
    pub async fn update_licenses(
        &self,
        gateway_sn: &str,
        file: Option<LicenseFile>,
        timeout: Duration,
        mismatch_codes: &[i64],
    ) -> Result<(), DeviceError> {
        let request = LicenseUpdateRequest { file };
        match self
            .call::<_, LicenseUpdateReply>(gateway_sn, methods::UPDATE, &request, timeout)
            .await
        {
            Ok(_) => Ok(()),
            Err(DeviceError::Refused { code }) if mismatch_codes.contains(&code) => {
                Err(DeviceError::FingerprintMismatch { code })
            }
            Err(e) => Err(e),
        }
    }
}
