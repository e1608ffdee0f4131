//! `scaleproof-studio`: the desktop studio's window (see the library for its commands).

fn main() {
    scaleproof_studio::run();
}
