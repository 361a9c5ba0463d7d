//! `devk current`: the current context and namespace, for prompts and scripts. Reads the
//! kubeconfig files and nothing else (no config, no network) unless JSON asks for the class.

use super::output::out;
use super::{Failure, Globals};
use crate::exit::Exit;
use crate::kubeconfig::Kubeconfig;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to print: `plain` is CONTEXT:NAMESPACE (as kube-ps1 shows it).
    #[arg(short, long, value_enum, default_value_t = Format::Plain)]
    pub output: Format,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Plain,
    Context,
    Namespace,
    Json,
}

pub fn exec(args: Args, g: &Globals) -> Result<(), Failure> {
    // A prompt calls this on every line: read only what the answer needs (the class in JSON
    // needs the cluster's server too).
    let kc = match args.output {
        Format::Json => Kubeconfig::load_light(g.sources(), false)?,
        _ => Kubeconfig::load_current(g.sources(), false)?,
    };
    let Some(name) = kc.current_context() else {
        let message = super::demo::first_run_hint(&kc).unwrap_or_else(|| {
            format!(
                "no current context is set in {}; pick one with `devk switch NAME`",
                kc.sources().describe()
            )
        });
        return Err(Failure::new(Exit::NotFound, message));
    };
    let Some(ctx) = kc.context(name) else {
        return Err(Failure::new(
            Exit::NotFound,
            format!(
                "the current context `{name}` is not defined in {}; pick another with `devk switch NAME`",
                kc.sources().describe()
            ),
        ));
    };
    let ns = ctx.namespace_or_default();
    let text = match args.output {
        Format::Plain => format!("{name}:{ns}\n"),
        Format::Context => format!("{name}\n"),
        Format::Namespace => format!("{ns}\n"),
        Format::Json => {
            let rules = super::contexts_cmd::class_rules(g)?;
            let class = crate::contexts::classify_context(&kc, &rules, &ctx);
            format!(
                "{}\n",
                serde_json::json!({"context": name, "namespace": ns, "class": class.class})
            )
        }
    };
    out(&text)
}
