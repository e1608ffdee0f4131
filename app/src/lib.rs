//! The desktop studio's shell: one window showing the front end in `../ui`, and the commands it
//! calls. Every command is a thin call into `studio` (the one API under every front end); its
//! errors reach the front end as `studio::ErrorReport` (a code to branch on, a message, every
//! problem with its line). Long work (a run) runs on a `studio::Session` thread and streams its
//! `Progress` through a channel, so the window never waits on it.

pub mod commands;

/// Builds and runs the app until its window closes.
pub fn run() {
    let mut state = commands::AppState::new(studio::Config::from_env());
    // Unattended use (the end-to-end test): reports go to this folder, no dialog is opened.
    state.export_dir = std::env::var_os("SCALEPROOF_STUDIO_EXPORT_DIR").map(Into::into);
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::library,
            commands::read_scenario,
            commands::check_scenario,
            commands::start_run,
            commands::cancel_run,
            commands::runs,
            commands::run_detail,
            commands::run_series,
            commands::compare_runs,
            commands::export_report,
        ])
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            // A window that cannot open has nowhere else to say why.
            #[expect(clippy::print_stderr, reason = "the app failed before it had a window")]
            {
                eprintln!("scaleproof-studio: {e}");
            }
            std::process::exit(1);
        });
}
