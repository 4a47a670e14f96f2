//! Child processes that never outlive their owner, and ports.

use std::io;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

/// A child process in its own process group, killed with all its children when the guard is
/// dropped, even on a panic, so no Chromium or server is left behind.
#[derive(Debug)]
pub struct Guard(Child);

impl Guard {
    /// Starts `cmd` as the leader of a new process group (its stdio as the caller set it).
    pub fn spawn(cmd: &mut Command) -> io::Result<Guard> {
        std::os::unix::process::CommandExt::process_group(cmd, 0);
        cmd.spawn().map(Guard)
    }

    pub fn id(&self) -> u32 {
        self.0.id()
    }

    /// The exit status if the process has already ended.
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        self.0.try_wait()
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        // `kill` rather than libc: the workspace forbids unsafe code.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.0.id())])
            .status();
        let _ = self.0.wait();
    }
}

/// A loopback port nothing listens on right now.
pub fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

/// Waits until something accepts connections on the loopback `port`.
pub fn wait_port(port: u16, timeout: Duration) -> io::Result<()> {
    let start = Instant::now();
    loop {
        if TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok() {
            return Ok(());
        }
        if start.elapsed() > timeout {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("nothing listens on 127.0.0.1:{port} after {timeout:?}"),
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Running, as opposed to gone or a zombie nobody reaped yet.
    fn running(pid: &str) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|stat| {
                let state = stat.rsplit_once(')')?.1.trim_start().chars().next()?;
                Some(state != 'Z' && state != 'X')
            })
            .unwrap_or(false)
    }

    #[test]
    fn a_guard_kills_its_whole_process_group() {
        let dir = tempfile::tempdir().expect("dir");
        let pid_file = dir.path().join("pid");
        // a shell with a child that a plain kill of the shell would leave running
        let script = format!("sleep 60 & echo $! > {}; wait", pid_file.display());
        let mut guard = Guard::spawn(Command::new("sh").args(["-c", &script])).expect("sh");
        let start = Instant::now();
        let child = loop {
            match std::fs::read_to_string(&pid_file) {
                Ok(pid) if pid.ends_with('\n') => break pid.trim().to_owned(),
                _ if start.elapsed() > Duration::from_secs(10) => panic!("no child pid"),
                _ => std::thread::sleep(Duration::from_millis(10)),
            }
        };
        assert!(guard.try_wait().expect("status").is_none());
        assert!(running(&child));
        drop(guard);
        let start = Instant::now();
        while running(&child) {
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "the group's child {child} outlived the guard"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn a_free_port_is_waited_for_until_it_listens() {
        let port = free_port().expect("port");
        assert!(wait_port(port, Duration::from_millis(100)).is_err());
        let _listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).expect("bind");
        wait_port(port, Duration::from_secs(5)).expect("listens");
    }
}
