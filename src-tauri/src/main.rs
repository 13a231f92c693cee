//! The `knot-app` binary: everything is in the library (`knot_app_lib::run`).

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    knot_app_lib::run();
}
