//! Confirmations. A protected context is confirmed by typing its name, which cannot be done by
//! muscle memory the way `y` can. Without a terminal there is nobody to ask: the command is
//! refused unless `--yes` was given.

use std::io::{self, BufRead, IsTerminal, Write};

use super::Failure;
use crate::exit::Exit;

/// True when a person can answer: stdin and stderr are terminals (stdout may be captured, as
/// in `eval "$(devk switch --shell prod)"`).
pub fn interactive() -> bool {
    io::stdin().is_terminal() && io::stderr().is_terminal()
}

/// Asks the user to type the confirmation word of context `name` (its cluster's name for a
/// generated name such as an EKS ARN, else the name itself; the TUI asks for the same) to go
/// ahead with `action`. `why` explains the protection.
pub fn typed_name(name: &str, action: &str, why: &str, yes: bool) -> Result<(), Failure> {
    if yes {
        return Ok(());
    }
    if !interactive() {
        return Err(Failure::new(
            Exit::Refused,
            format!(
                "refusing to {action} `{name}` without confirmation: it is protected ({why}) and there is no terminal to ask; pass --yes to confirm from a script"
            ),
        ));
    }
    let word = crate::contexts::display::confirmation_word(name);
    let what = if word == name {
        "its name".to_string()
    } else {
        format!("`{word}` (its cluster's name)")
    };
    let mut err = io::stderr();
    let _ = write!(
        err,
        "\x1b[1;31m`{name}` is a protected context\x1b[0m ({why}).\nType {what} to {action} it: "
    );
    let _ = err.flush();
    let mut answer = String::new();
    io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Failure::new(Exit::Io, format!("cannot read the confirmation: {e}")))?;
    if answer.trim_end_matches(['\r', '\n']) == word {
        Ok(())
    } else {
        Err(Failure::new(
            Exit::Refused,
            format!("not confirmed: the typed text was not `{word}`; nothing changed"),
        ))
    }
}

/// A yes/no question (default no).
pub fn yes_no(question: &str, yes: bool) -> Result<(), Failure> {
    if yes {
        return Ok(());
    }
    if !interactive() {
        return Err(Failure::new(
            Exit::Refused,
            format!("{question}: no terminal to ask; pass --yes to confirm from a script"),
        ));
    }
    let mut err = io::stderr();
    let _ = write!(err, "{question} [y/N] ");
    let _ = err.flush();
    let mut answer = String::new();
    io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Failure::new(Exit::Io, format!("cannot read the answer: {e}")))?;
    if matches!(answer.trim().to_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err(Failure::new(
            Exit::Refused,
            "not confirmed; nothing changed",
        ))
    }
}
