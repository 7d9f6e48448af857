//! Terminal input on its own thread, which can be paused while another program (the `$EDITOR`
//! of a note) owns the terminal: a paused reader neither polls nor reads, so no keystroke meant
//! for the editor is taken.

use std::io;
use std::sync::mpsc as std_mpsc;
use std::time::Duration;

use crossterm::event::{self, Event};
use tokio::sync::mpsc;

/// How long one poll waits before the thread looks at its commands again.
const POLL: Duration = Duration::from_millis(50);

enum Command {
    /// Stop reading; answer on the channel once parked.
    Pause(std_mpsc::Sender<()>),
    Resume,
    Stop,
}

/// Handle of the input thread.
pub struct Input {
    commands: std_mpsc::Sender<Command>,
}

impl Input {
    /// Starts the thread; events go to `tx` until it is closed or [`Input::stop`] is called.
    pub fn spawn(tx: mpsc::UnboundedSender<io::Result<Event>>) -> Input {
        let (commands, rx) = std_mpsc::channel();
        std::thread::Builder::new()
            .name("terminal-input".into())
            .spawn(move || run(tx, rx))
            .expect("spawning the terminal input thread");
        Input { commands }
    }

    /// Stops reading and returns once the thread no longer touches the terminal.
    pub fn pause(&self) {
        let (ack_tx, ack_rx) = std_mpsc::channel();
        if self.commands.send(Command::Pause(ack_tx)).is_ok() {
            let _ = ack_rx.recv();
        }
    }

    /// Reads again after [`Input::pause`].
    pub fn resume(&self) {
        let _ = self.commands.send(Command::Resume);
    }

    /// Ends the thread (it notices within one poll).
    pub fn stop(&self) {
        let _ = self.commands.send(Command::Stop);
    }
}

fn run(tx: mpsc::UnboundedSender<io::Result<Event>>, commands: std_mpsc::Receiver<Command>) {
    loop {
        match commands.try_recv() {
            Ok(Command::Pause(ack)) => {
                let _ = ack.send(());
                // Parked: only a command wakes it.
                loop {
                    match commands.recv() {
                        Ok(Command::Resume) => break,
                        Ok(Command::Pause(ack)) => {
                            let _ = ack.send(());
                        }
                        Ok(Command::Stop) | Err(_) => return,
                    }
                }
            }
            Ok(Command::Resume) => {}
            Ok(Command::Stop) | Err(std_mpsc::TryRecvError::Disconnected) => return,
            Err(std_mpsc::TryRecvError::Empty) => {}
        }
        match event::poll(POLL) {
            Ok(false) => {}
            Ok(true) => {
                let ev = event::read();
                if tx.send(ev).is_err() {
                    return;
                }
            }
            Err(e) => {
                let _ = tx.send(Err(e));
                return;
            }
        }
    }
}
