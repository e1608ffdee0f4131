//! The desktop studio's shell: one window showing the front end in `../ui`, and the commands it
//! calls. Every command is a thin call into `studio` (the one API under every front end); its
//! errors reach the front end as `studio::ErrorReport` (a code to branch on, a message, every
//! problem with its line). Long work (a run) runs on a `studio::Session` thread and streams its
//! `Progress` through a channel, so the window never waits on it.

pub mod commands;
pub mod pilot;

use tauri::Manager;

/// The configuration the studio runs with: `config`, and the bundled price books after its own
/// folders, so that the user's scenarios saved anywhere find them.
pub fn desktop_config(mut config: studio::Config) -> studio::Config {
    config.price_books.push(studio::library::bundled_price_books_dir());
    config
}

/// Builds and runs the app until its window closes. With `--first-frame` (the startup
/// benchmark, `scripts/bench-studio.sh`) it prints how long the first frame took and exits.
pub fn run() {
    let launched = std::time::Instant::now();
    let mut state = commands::AppState::new(desktop_config(studio::Config::from_env()));
    state.launched = launched;
    state.exit_after_first_frame = std::env::args().any(|a| a == "--first-frame");
    // Unattended use (the end-to-end test): reports and scenarios saved as new files go to this
    // folder, no dialog is opened.
    state.save_dir = std::env::var_os("SCALEPROOF_STUDIO_SAVE_DIR").map(Into::into);
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::first_frame,
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
            commands::scenario_item,
            commands::open_scenario,
            commands::save_scenario,
            commands::save_scenario_as,
            commands::scenario_form,
            commands::set_scenario_field,
            commands::start_sweep,
            commands::sweeps,
            commands::sweep_detail,
            commands::set_fullscreen,
            commands::save_chart,
            commands::rename_run,
            commands::tag_run,
            commands::delete_run,
            commands::sensitivity_kpis,
            commands::start_sensitivity,
            commands::study_detail,
            commands::open_fleet_view,
            pilot::pilot_defaults,
            pilot::start_local_broker,
            pilot::stop_local_broker,
            pilot::pick_path,
            pilot::start_emulate,
            pilot::start_record,
            pilot::recordings,
            pilot::start_calibrate,
            pilot::compare_pilot,
            pilot::open_pilot_report,
        ])
        .build(tauri::generate_context!())
        .unwrap_or_else(|e| {
            // A window that cannot open has nowhere else to say why.
            #[expect(clippy::print_stderr, reason = "the app failed before it had a window")]
            {
                eprintln!("scaleproof-studio: {e}");
            }
            std::process::exit(1);
        });
    app.run(|app, event| {
        if let tauri::RunEvent::Exit = event {
            // The private broker saves its state and goes with the app.
            app.state::<commands::AppState>().stop_broker();
        }
    });
}
