//! Stack traces: every exception of the chain with its frames, newest first or oldest first;
//! in-app frames emphasized, runs of system frames folded away until asked for, a frame repeated
//! in a row (recursion) shown once with its count; a frame opens to its source context and local
//! variables. A raw view gives the trace as plain text.

use crate::event::{Exception, Frame, Stacktrace, app_frames};
use leptos::prelude::*;

use super::sections::KeyValues;

/// The exceptions of an event (oldest first, as stored), or the thread/event stack trace of an
/// event without one.
#[component]
pub fn StackTraces(exceptions: Vec<Exception>, thread_stack: Option<Stacktrace>) -> impl IntoView {
    let newest_first = RwSignal::new(true);
    let full = RwSignal::new(false);
    let raw = RwSignal::new(false);
    let heading = match exceptions.len() {
        0 => "Stack trace",
        1 => "Exception",
        _ => "Exceptions",
    };
    let chain = if exceptions.is_empty() {
        vec![Exception { stacktrace: thread_stack, ..Exception::default() }]
    } else {
        exceptions
    };
    let chain = StoredValue::new(chain);
    let ordered = move || {
        let mut list = chain.get_value();
        if newest_first.get() {
            list.reverse();
        }
        list
    };
    view! {
        <section class="card exceptions">
            <header class="section-header">
                <h2>{heading}</h2>
                <div class="toggles">
                    <button type="button" class="order" on:click=move |_| newest_first.update(|n| *n = !*n)>
                        {move || if newest_first.get() { "Newest first" } else { "Oldest first" }}
                    </button>
                    <label>
                        <input type="checkbox" class="full-stack" prop:checked=full on:change=move |_| full.update(|f| *f = !*f)/>
                        "Full stack"
                    </label>
                    <label>
                        <input type="checkbox" class="raw-toggle" prop:checked=raw on:change=move |_| raw.update(|r| *r = !*r)/>
                        "Raw"
                    </label>
                </div>
            </header>
            {move || {
                let list = ordered();
                if raw.get() {
                    view! { <pre class="raw-stack">{raw_text(&list, newest_first.get())}</pre> }.into_any()
                } else {
                    let main = if newest_first.get() { 0 } else { list.len().saturating_sub(1) };
                    list.into_iter()
                        .enumerate()
                        .map(|(i, exception)| {
                            view! { <ExceptionView exception is_main=i == main newest_first=newest_first.get() full/> }
                        })
                        .collect_view()
                        .into_any()
                }
            }}
        </section>
    }
}

#[component]
fn ExceptionView(exception: Exception, is_main: bool, newest_first: bool, full: RwSignal<bool>) -> impl IntoView {
    let unhandled = exception.mechanism.as_ref().and_then(|m| m.handled) == Some(false);
    let mechanism = exception.mechanism.as_ref().and_then(|m| m.ty.clone());
    let frames = exception.stacktrace.map(|stack| stack.frames).unwrap_or_default();
    let app = app_frames(&frames);
    // The frame the error came from: the innermost of the app, else the innermost.
    let crash = app.iter().rposition(|app| *app).or(frames.len().checked_sub(1));
    let fold = app.contains(&true);
    let mut numbered: Vec<Numbered> = repeats_folded(frames.into_iter().zip(app).enumerate().collect());
    if newest_first {
        numbered.reverse();
    }
    let numbered = StoredValue::new(numbered);
    view! {
        <div class="exception" class:main=is_main>
            <h3>
                <span class="exception-type">{exception.ty.clone().unwrap_or_else(|| "Error".to_owned())}</span>
                {exception.value.clone().map(|value| view! { <span class="exception-value">{value}</span> })}
            </h3>
            <p class="mechanism">
                {exception.module.clone().map(|module| view! { <span class="module">{module}</span> })}
                {mechanism.map(|m| view! { <span class="badge">{m}</span> })}
                {unhandled.then(|| view! { <span class="badge unhandled">"unhandled"</span> })}
            </p>
            {move || {
                let groups = group_frames(numbered.get_value(), fold && !full.get());
                view! {
                    <ol class="frames">
                        {groups
                            .into_iter()
                            .map(|group| match group {
                                FrameGroup::One(numbered) => {
                                    let run = numbered.index..numbered.index + numbered.times;
                                    let open = is_main && crash.is_some_and(|crash| run.contains(&crash));
                                    view! { <FrameView frame=numbered.frame app=numbered.app times=numbered.times open/> }
                                        .into_any()
                                }
                                FrameGroup::System(frames) => view! { <SystemFrames frames/> }.into_any(),
                            })
                            .collect_view()}
                    </ol>
                }
            }}
        </div>
    }
}

/// A frame as listed: where it is in the stack, whether it is the app's, how often in a row.
#[derive(Clone, Debug)]
struct Numbered {
    index: usize,
    frame: Box<Frame>,
    app: bool,
    times: usize,
}

/// The same frame called again and again in a row (recursion) becomes one with its count; it
/// shows the innermost call (its variables are the ones closest to the error), numbered from
/// the outermost.
fn repeats_folded(frames: Vec<(usize, (Frame, bool))>) -> Vec<Numbered> {
    let mut out: Vec<Numbered> = Vec::new();
    for (index, (frame, app)) in frames {
        match out.last_mut() {
            Some(last) if same_place(&last.frame, &frame) => {
                last.times += 1;
                *last.frame = frame;
            }
            _ => out.push(Numbered { index, frame: Box::new(frame), app, times: 1 }),
        }
    }
    out
}

fn same_place(a: &Frame, b: &Frame) -> bool {
    (&a.function, &a.module, &a.filename, &a.abs_path, a.lineno, a.colno)
        == (&b.function, &b.module, &b.filename, &b.abs_path, b.lineno, b.colno)
}

/// Frames as listed: one by one, or a folded run of system frames.
enum FrameGroup {
    One(Numbered),
    System(Vec<Numbered>),
}

/// Folds runs of frames that are not the app's when `fold`; a lone system frame stays as it is.
fn group_frames(frames: Vec<Numbered>, fold: bool) -> Vec<FrameGroup> {
    let mut groups = Vec::new();
    let mut run: Vec<Numbered> = Vec::new();
    let flush = |run: &mut Vec<Numbered>, groups: &mut Vec<FrameGroup>| match run.len() {
        0 => {}
        1 => groups.push(FrameGroup::One(run.remove(0))),
        _ => groups.push(FrameGroup::System(std::mem::take(run))),
    };
    for numbered in frames {
        if fold && !numbered.app {
            run.push(numbered);
        } else {
            flush(&mut run, &mut groups);
            groups.push(FrameGroup::One(numbered));
        }
    }
    flush(&mut run, &mut groups);
    groups
}

#[component]
fn SystemFrames(frames: Vec<Numbered>) -> impl IntoView {
    let open = RwSignal::new(false);
    let count: usize = frames.iter().map(|numbered| numbered.times).sum();
    let frames = StoredValue::new(frames);
    view! {
        <li class="system-frames">
            <button type="button" class="link" on:click=move |_| open.update(|o| *o = !*o)>
                {move || if open.get() { format!("Hide {count} system frames") } else { format!("Show {count} system frames") }}
            </button>
            <Show when=move || open.get()>
                <ol class="frames">
                    {frames
                        .get_value()
                        .into_iter()
                        .map(|numbered| view! { <FrameView frame=numbered.frame app=false times=numbered.times open=false/> })
                        .collect_view()}
                </ol>
            </Show>
        </li>
    }
}

/// `function` in `file:line:col` (×N when repeated), opening to source context and local variables.
#[component]
fn FrameView(frame: Box<Frame>, app: bool, times: usize, open: bool) -> impl IntoView {
    let has_details = frame.context_line.is_some() || frame.vars.as_ref().is_some_and(|vars| !vars.is_empty());
    let open = RwSignal::new(open && has_details);
    let in_app = app;
    let location = location(&frame);
    let function = frame.function.clone().unwrap_or_else(|| "?".to_owned());
    let context = source_lines(&frame);
    let vars: Vec<(String, serde_json::Value)> =
        frame.vars.clone().map(|vars| vars.into_iter().collect()).unwrap_or_default();
    let context = StoredValue::new(context);
    let vars = StoredValue::new(vars);
    view! {
        <li class="frame" class:in-app=in_app class:system=!in_app class:open=move || open.get()>
            <button
                type="button"
                class="frame-line"
                disabled=!has_details
                aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <code class="function">{function}</code>
                " in "
                <span class="file">{location}</span>
                {in_app.then(|| view! { <span class="badge in-app">"in app"</span> })}
                {(times > 1).then(|| {
                    view! {
                        <span class="badge repeated" title=format!("The same frame {times} times in a row")>
                            {format!("×{times}")}
                        </span>
                    }
                })}
            </button>
            <Show when=move || open.get()>
                <div class="frame-details">
                    {(!context.get_value().is_empty())
                        .then(|| {
                            view! {
                                <ol class="source">
                                    {context
                                        .get_value()
                                        .into_iter()
                                        .map(|(number, line, current)| {
                                            view! {
                                                <li class:current=current>
                                                    <span class="lineno">{number.map(|n| n.to_string()).unwrap_or_default()}</span>
                                                    <code>{line}</code>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ol>
                            }
                        })}
                    {(!vars.get_value().is_empty())
                        .then(|| view! { <h4>"Local variables"</h4><KeyValues pairs=vars.get_value() class="vars"/> })}
                </div>
            </Show>
        </li>
    }
}

/// `file:line:col` with what the frame has of them.
fn location(frame: &Frame) -> String {
    let file = frame.filename.as_deref().or(frame.abs_path.as_deref()).or(frame.module.as_deref()).unwrap_or("?");
    match (frame.lineno, frame.colno) {
        (Some(line), Some(col)) => format!("{file}:{line}:{col}"),
        (Some(line), None) => format!("{file}:{line}"),
        _ => file.to_owned(),
    }
}

/// The source around the frame's line: (line number, text, whether it is the frame's line).
fn source_lines(frame: &Frame) -> Vec<(Option<u64>, String, bool)> {
    let Some(current) = frame.context_line.clone() else { return Vec::new() };
    let number = |offset: i64| frame.lineno.and_then(|line| line.checked_add_signed(offset));
    let before = frame.pre_context.len() as i64;
    let mut lines: Vec<(Option<u64>, String, bool)> = frame
        .pre_context
        .iter()
        .enumerate()
        .map(|(i, line)| (number(i as i64 - before), line.clone(), false))
        .collect();
    lines.push((frame.lineno, current, true));
    lines.extend(frame.post_context.iter().enumerate().map(|(i, line)| (number(i as i64 + 1), line.clone(), false)));
    lines
}

/// The chain as plain text, in the order shown.
fn raw_text(chain: &[Exception], newest_first: bool) -> String {
    let mut text = String::new();
    for exception in chain {
        let ty = exception.ty.as_deref().unwrap_or("Error");
        match exception.value.as_deref() {
            Some(value) => text.push_str(&format!("{ty}: {value}\n")),
            None => text.push_str(&format!("{ty}\n")),
        }
        let mut frames: Vec<&Frame> = exception.stacktrace.iter().flat_map(|stack| &stack.frames).collect();
        if newest_first {
            frames.reverse();
        }
        for frame in frames {
            let function = frame.function.as_deref().unwrap_or("?");
            text.push_str(&format!("  at {function} ({})\n", location(frame)));
        }
        text.push('\n');
    }
    text.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(function: &str, in_app: bool) -> Frame {
        Frame {
            function: Some(function.to_owned()),
            filename: Some("app.py".to_owned()),
            lineno: Some(10),
            in_app: Some(in_app),
            ..Frame::default()
        }
    }

    fn shape(groups: &[FrameGroup]) -> Vec<String> {
        groups
            .iter()
            .map(|group| match group {
                FrameGroup::One(numbered) if numbered.times > 1 => {
                    format!("{} ×{}", numbered.frame.function.clone().unwrap_or_default(), numbered.times)
                }
                FrameGroup::One(numbered) => numbered.frame.function.clone().unwrap_or_default(),
                FrameGroup::System(frames) => format!("{} system", frames.len()),
            })
            .collect()
    }

    fn listed(frames: Vec<Frame>) -> Vec<Numbered> {
        let app = app_frames(&frames);
        repeats_folded(frames.into_iter().zip(app).enumerate().collect())
    }

    #[test]
    fn runs_of_system_frames_fold_and_a_lone_one_stays() {
        let frames =
            vec![frame("main", true), frame("a", false), frame("b", false), frame("handle", true), frame("c", false)];
        assert_eq!(shape(&group_frames(listed(frames.clone()), true)), ["main", "2 system", "handle", "c"]);
        assert_eq!(shape(&group_frames(listed(frames), false)).len(), 5, "the full stack folds nothing");
    }

    #[test]
    fn a_frame_repeated_in_a_row_is_listed_once_with_its_count() {
        let mut frames = vec![frame("main", true)];
        frames.extend(std::iter::repeat_n(frame("recurse", true), 121));
        frames.push(frame("leaf", true));
        frames.push(frame("recurse", true));
        assert_eq!(shape(&group_frames(listed(frames), true)), ["main", "recurse ×121", "leaf", "recurse"]);
        let mut innermost = frame("recurse", true);
        innermost.vars = Some(serde_json::json!({"depth": 121}).as_object().cloned().unwrap_or_default());
        let mut run = vec![frame("recurse", true); 2];
        run.push(innermost);
        let folded = listed(run);
        assert_eq!((folded.len(), folded[0].index, folded[0].times), (1, 0, 3));
        assert!(folded[0].frame.vars.is_some(), "the innermost call's variables");
        let mut other_line = frame("recurse", true);
        other_line.lineno = Some(11);
        assert_eq!(listed(vec![frame("recurse", true), other_line]).len(), 2, "another line is another place");
    }

    #[test]
    fn without_any_in_app_mark_the_frames_no_library_claims_are_the_apps() {
        let mut unmarked = frame("shop::total", true);
        unmarked.in_app = None;
        let frames = vec![unmarked, frame("core::panicking::panic_fmt", false), frame("sentry_panic::hook", false)];
        assert_eq!(app_frames(&frames), [true, false, false]);
        assert_eq!(shape(&group_frames(listed(frames), true)), ["shop::total", "2 system"]);
        let mut repeated = vec![frame("shop::run", true), frame("std::rt", false), frame("std::rt", false)];
        repeated[0].in_app = None;
        let groups = group_frames(listed(repeated), true);
        let FrameGroup::One(_) = &groups[0] else { panic!("the app's frame alone") };
        assert!(matches!(&groups[..], [_, FrameGroup::One(system)] if system.times == 2), "a lone folded run stays");
    }

    #[test]
    fn the_source_context_is_numbered_around_the_line() {
        let mut with_context = frame("f", true);
        with_context.pre_context = vec!["a".into(), "b".into()];
        with_context.context_line = Some("boom()".into());
        with_context.post_context = vec!["c".into()];
        let lines = source_lines(&with_context);
        let numbers: Vec<_> = lines.iter().map(|(n, _, current)| (n.unwrap_or_default(), *current)).collect();
        assert_eq!(numbers, [(8, false), (9, false), (10, true), (11, false)]);
    }

    #[test]
    fn the_raw_stack_reads_like_a_traceback() {
        let exception = Exception {
            ty: Some("ValueError".into()),
            value: Some("bad".into()),
            stacktrace: Some(Stacktrace {
                frames: vec![frame("main", true), frame("parse", true)],
                ..Stacktrace::default()
            }),
            ..Exception::default()
        };
        assert_eq!(
            raw_text(std::slice::from_ref(&exception), true),
            "ValueError: bad\n  at parse (app.py:10)\n  at main (app.py:10)"
        );
    }
}
