//! Boots the page: panic hook, then mount.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(pilot_portal::App);
}
