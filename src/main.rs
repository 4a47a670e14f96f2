//! Boots the page: panic hook, then mount.

fn main() {
    // Panic messages in the console while developing; release builds abort without the
    // formatting code.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    // The third bundle (`panels`) mounts only the main page's later panels.
    #[cfg(feature = "panels")]
    pilot_portal::panels::guest::mount();
    #[cfg(not(feature = "panels"))]
    leptos::mount::mount_to_body(pilot_portal::App);
}
