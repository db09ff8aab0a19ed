//! Messages to the user: logging to stderr, error reports, progress bars.

use std::io::IsTerminal;

use detcal::repo::joblog;
use detcal::report::{Progress, Reporter};
use indicatif::{ProgressBar, ProgressStyle};
use tracing::Level;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer;
use tracing_subscriber::fmt::FmtContext;
use tracing_subscriber::fmt::format::{self, FormatEvent, FormatFields};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;

/// How much to say on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    /// Errors only.
    Quiet,
    /// Warnings and errors (psana's `-l WARNING`).
    Warnings,
    /// Warnings and information.
    Normal,
    /// Debugging details too.
    Verbose,
}

/// Sends the library's log messages to stderr (`DETCAL_LOG` overrides the level).
pub fn init_logging(v: Verbosity) {
    let level = match v {
        Verbosity::Quiet => "error",
        Verbosity::Warnings => "warn",
        Verbosity::Normal => "info",
        Verbosity::Verbose => "debug",
    };
    let filter = EnvFilter::try_from_env("DETCAL_LOG").unwrap_or_else(|_| EnvFilter::new(level));
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .event_format(Plain)
        .with_filter(filter);
    let _ = tracing_subscriber::registry()
        .with(stderr)
        .with(JobLogLayer)
        .try_init();
}

/// Copies every message at info level and above into the job's log file.
struct JobLogLayer;

impl<S: tracing::Subscriber> Layer<S> for JobLogLayer {
    fn on_event(
        &self,
        event: &tracing::Event<'_>,
        _ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let level = *event.metadata().level();
        if level > Level::INFO {
            return;
        }
        let mut msg = String::new();
        event.record(&mut MessageVisitor(&mut msg));
        let c = match level {
            Level::ERROR => 'E',
            Level::WARN => 'W',
            _ => 'I',
        };
        if let Err(e) = joblog::forward(c, &msg) {
            eprintln!("detcal: warning: cannot write the job log: {e}");
        }
    }
}

/// Collects an event's message and fields into a string.
struct MessageVisitor<'a>(&'a mut String);

impl tracing::field::Visit for MessageVisitor<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        use std::fmt::Write;
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }
}

/// Log lines as `detcal: warning: <message>`; information is printed as it is.
struct Plain;

impl<S, N> FormatEvent<S, N> for Plain
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: format::Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        let prefix = match *event.metadata().level() {
            Level::ERROR => "detcal: error: ",
            Level::WARN => "detcal: warning: ",
            Level::INFO => "",
            Level::DEBUG => "debug: ",
            Level::TRACE => "trace: ",
        };
        write!(writer, "{prefix}")?;
        ctx.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}

/// Prints an error and its causes on one line: `detcal: error: <what>: <cause>`.
pub fn report_error(err: &anyhow::Error) {
    let mut msg = err.to_string();
    for cause in err.chain().skip(1) {
        let c = cause.to_string();
        if !msg.contains(&c) {
            msg.push_str(": ");
            msg.push_str(&c);
        }
    }
    eprintln!("detcal: error: {}", msg.replace('\n', " "));
}

/// A progress bar on stderr when it is a terminal; hidden otherwise.
pub fn progress(len: u64, what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    // Without a known total (XTC2 runs are not counted ahead), a spinner with the count and rate.
    let pb = if len == 0 {
        ProgressBar::no_length()
    } else {
        ProgressBar::new(len)
    };
    let template = if len == 0 {
        "{spinner} {msg:>12} {pos} {per_sec} {elapsed}"
    } else {
        "{msg:>12} [{bar:40}] {pos}/{len} {per_sec} eta {eta}"
    };
    pb.set_style(
        ProgressStyle::with_template(template)
            .expect("valid template")
            .progress_chars("=> "),
    );
    pb.set_message(what.to_string());
    pb
}

/// Progress bars on stderr when it is a terminal, for the library's pipelines.
#[derive(Debug, Default, Clone, Copy)]
pub struct Bars;

/// A progress bar as the library's counter.
struct Bar(ProgressBar);

impl Progress for Bar {
    fn set(&self, done: u64) {
        self.0.set_position(done);
    }

    fn position(&self) -> u64 {
        self.0.position()
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl Reporter for Bars {
    fn progress(&self, total: u64, what: &str) -> Box<dyn Progress> {
        Box::new(Bar(progress(total, what)))
    }
}

/// Prints one line per deployed (or planned) file: `deployed|dry-run <ctype> <path>`.
pub fn print_placed(placed: &[detcal::deploy::Placement], deployed: bool) {
    for p in placed {
        println!(
            "{} {} {}",
            if deployed { "deployed" } else { "dry-run" },
            p.ctype,
            p.to.display()
        );
    }
}

/// Prints where the simulated runs, truth and gain directories went.
pub fn print_simulated(out: &detcal_sim::SimOutput) {
    println!("dark run:  {}", out.dark_file.display());
    if let Some(l) = &out.light_file {
        println!("light run: {}", l.display());
    }
    println!("truth:     {}", out.truth_dir.display());
    for d in &out.gain_dirs {
        println!("gains:     {}", d.display());
    }
    println!("panels:    {}", out.panel_ids.join(" "));
}
