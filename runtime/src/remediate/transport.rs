//! How an `exec` action reaches its host: the `[exec] via` prefix of the
//! runtime configuration (`ssh … {host} --`, an agent's client, or nothing
//! to run here) goes before the action's own argv. With `quote = "sh"` the
//! action's arguments are quoted for the POSIX shell that such transports
//! hand the command line to, so that a label value stays one argument on
//! the far side too.

use super::config::{ExecConfig, Quote};

/// Why an `exec` action cannot be sent to its host.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    #[error(
        "no `[exec] via` in the runtime configuration: upkeep does not know how to reach \
         host `{host}` (set `via = [\"ssh\", \"{{host}}\", \"--\"]`, or `via = []` to run here)"
    )]
    NoRoute { host: String },
    #[error("an argument holds a NUL byte, which no shell can quote")]
    Unquotable,
}

/// The argv to run for `argv` on `host`.
pub fn route(
    config: &ExecConfig,
    host: &str,
    argv: &[String],
) -> Result<Vec<String>, TransportError> {
    let Some(via) = &config.via else {
        return Err(TransportError::NoRoute { host: host.to_string() });
    };
    let mut out: Vec<String> = via.iter().map(|part| part.replace("{host}", host)).collect();
    match config.quote {
        Quote::None => out.extend(argv.iter().cloned()),
        Quote::Sh => {
            for arg in argv {
                let quoted = shlex::try_quote(arg).map_err(|_| TransportError::Unquotable)?;
                out.push(quoted.into_owned());
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(via: Option<&[&str]>, quote: Quote) -> ExecConfig {
        ExecConfig {
            via: via.map(|v| v.iter().map(|s| s.to_string()).collect()),
            quote,
            ..ExecConfig::default()
        }
    }

    fn argv(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn without_via_nothing_runs() {
        let err = route(&config(None, Quote::None), "db1", &argv(&["true"])).unwrap_err();
        assert_eq!(err, TransportError::NoRoute { host: "db1".into() });
    }

    #[test]
    fn an_empty_via_runs_here_as_it_is() {
        let got = route(&config(Some(&[]), Quote::None), "db1", &argv(&["echo", "; rm -rf /"]));
        assert_eq!(got.unwrap(), argv(&["echo", "; rm -rf /"]));
    }

    #[test]
    fn ssh_gets_the_host_and_shell_quoted_arguments() {
        let via: &[&str] = &["ssh", "-o", "BatchMode=yes", "{host}", "--"];
        let hostile = argv(&["echo", "it's $(id)", "", "a\nb `x` ; rm -rf /"]);
        let got = route(&config(Some(via), Quote::Sh), "db1", &hostile).unwrap();
        assert_eq!(got[..5], argv(&["ssh", "-o", "BatchMode=yes", "db1", "--"]));
        // What the remote shell splits the command line into: the same words.
        let line = got[5..].join(" ");
        assert_eq!(shlex::split(&line), Some(hostile));
        let err = route(&config(Some(via), Quote::Sh), "db1", &argv(&["a\0b"])).unwrap_err();
        assert_eq!(err, TransportError::Unquotable);
    }
}
