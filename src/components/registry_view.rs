//! Registries: `docker search` (Docker Hub, or a registry's catalog), a repository's tags, and
//! `docker pull` (run by the worker; its progress shows with the imports). Through the
//! same-origin proxy by default, or directly to registries that send CORS headers. Search
//! results and tag lists are asked for, and read, in the console worker: the page never parses
//! a registry's answer.

use layerwise_registry::search::SearchResult;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::browser::console_worker::ConsoleWorker;
use crate::browser::fetch::probe;
use crate::protocol::{RegistryAnswer, RegistryAsk, Request};

/// Props of [`RegistryView`].
#[derive(Properties, PartialEq)]
pub struct RegistryViewProps {
    /// Sends a pull to the worker.
    pub on_pull: Callback<Request>,
}

/// The platforms offered for a pull (`""` is linux/amd64, docker's default).
const PLATFORMS: [(&str, &str); 6] =
    [("", "linux/amd64 (default)"), ("linux/arm64", "linux/arm64"), ("linux/arm/v7", "linux/arm/v7"), ("linux/386", "linux/386"), ("linux/ppc64le", "linux/ppc64le"), ("linux/s390x", "linux/s390x")];

/// The value of an input or a select.
fn value(node: &NodeRef) -> String {
    if let Some(select) = node.cast::<web_sys::Element>().and_then(|e| e.dyn_into::<HtmlSelectElement>().ok()) {
        return select.value();
    }
    node.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default()
}

fn checked(node: &NodeRef) -> bool {
    node.cast::<HtmlInputElement>().is_some_and(|i| i.checked())
}

fn set(node: &NodeRef, v: &str) {
    if let Some(i) = node.cast::<HtmlInputElement>() {
        i.set_value(v);
    }
}

/// What the search area shows for the console worker's answer to `ask`.
async fn asked(worker: &ConsoleWorker, ask: RegistryAsk, direct: bool) -> Found {
    let name = match &ask {
        RegistryAsk::Tags { name } => name.clone(),
        RegistryAsk::Search { .. } => String::new(),
    };
    match worker.registry(ask, direct).await {
        Ok(RegistryAnswer::Found(results)) => Found::Results(results),
        Ok(RegistryAnswer::Tags(tags)) => Found::Tags(name, tags),
        Err(e) => Found::Error(e),
    }
}

/// What the search area shows.
#[derive(Clone, PartialEq)]
enum Found {
    Nothing,
    Busy,
    Results(Vec<SearchResult>),
    Tags(String, Vec<String>),
    Error(String),
}

/// The registry page.
#[function_component]
pub fn RegistryView(props: &RegistryViewProps) -> Html {
    let refs: [NodeRef; 10] = Default::default();
    let [term, limit, stars, official, reference, platform, direct, user, pass, probe_url] = refs.clone();
    let found = use_state(|| Found::Nothing);
    let worker = ConsoleWorker::shared();
    let probed = use_state(|| None::<Result<String, String>>);

    let on_search = {
        let (found, worker, term, limit, stars, official, direct) = (found.clone(), worker.clone(), term.clone(), limit.clone(), stars.clone(), official.clone(), direct.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let filters = [(!value(&stars).trim().is_empty()).then(|| format!("stars={}", value(&stars).trim())), checked(&official).then(|| "is-official=true".to_owned())];
            let ask = RegistryAsk::Search { term: value(&term), limit: value(&limit).trim().parse().ok(), filters: filters.into_iter().flatten().collect() };
            let (found, worker, direct) = (found.clone(), worker.clone(), checked(&direct));
            found.set(Found::Busy);
            wasm_bindgen_futures::spawn_local(async move { found.set(asked(&worker, ask, direct).await) });
        })
    };
    let show_tags = {
        let (found, worker, direct) = (found.clone(), worker.clone(), direct.clone());
        Callback::from(move |name: String| {
            let (found, worker, direct) = (found.clone(), worker.clone(), checked(&direct));
            found.set(Found::Busy);
            wasm_bindgen_futures::spawn_local(async move { found.set(asked(&worker, RegistryAsk::Tags { name }, direct).await) });
        })
    };
    let pull = {
        let (on_pull, platform, direct, user, pass) = (props.on_pull.clone(), platform.clone(), direct.clone(), user.clone(), pass.clone());
        Callback::from(move |name: String| {
            let id = format!("pull-{}-{:08x}", js_sys::Date::now() as u64, (js_sys::Math::random() * f64::from(u32::MAX)) as u32);
            let login = Some((value(&user), value(&pass))).filter(|(u, _)| !u.is_empty());
            on_pull.emit(Request::Pull { id, reference: name, platform: value(&platform), direct: checked(&direct), login });
        })
    };
    let on_pull_submit = {
        let (pull, reference) = (pull.clone(), reference.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let name = value(&reference);
            if !name.trim().is_empty() {
                pull.emit(name.trim().to_owned());
            }
        })
    };
    let pick = {
        let reference = reference.clone();
        Callback::from(move |name: String| set(&reference, &name))
    };
    let on_probe = {
        let (probed, probe_url) = (probed.clone(), probe_url.clone());
        Callback::from(move |_: MouseEvent| {
            let (probed, url) = (probed.clone(), value(&probe_url));
            wasm_bindgen_futures::spawn_local(async move { probed.set(Some(probe(url.trim()).await)) });
        })
    };

    html! {
        <section class="registry">
            <form class="pull-form" onsubmit={on_pull_submit}>
                <h2>{ "docker pull" }</h2>
                <input ref={reference} id="pull-ref" placeholder="busybox, ghcr.io/owner/app:1.0, host:5000/name@sha256:…" size="48" />
                <select ref={platform} id="pull-platform">
                    { for PLATFORMS.iter().enumerate().map(|(i, (value, label))| html! { <option value={*value} selected={i == 0}>{ *label }</option> }) }
                </select>
                <button id="pull" type="submit">{ "Pull" }</button>
                <details class="login">
                    <summary>{ "credentials (kept in memory for this session only)" }</summary>
                    <input ref={user} id="pull-user" placeholder="user name" autocomplete="username" />
                    <input ref={pass} id="pull-pass" type="password" placeholder="password or token" autocomplete="current-password" />
                </details>
            </form>
            <div class="mode">
                <label><input ref={direct} id="registry-direct" type="checkbox" />{ " reach registries directly (they must send CORS headers); otherwise through this server's proxy" }</label>
                <span class="group">
                    <input ref={probe_url} id="probe-url" placeholder="http://127.0.0.1:5000" />
                    <button id="probe" onclick={on_probe}>{ "Test connection" }</button>
                </span>
                { match &*probed {
                    Some(Ok(m)) => html! { <p id="probe-result" class="ok">{ m.clone() }</p> },
                    Some(Err(m)) => html! { <p id="probe-result" class="error">{ m.clone() }</p> },
                    None => html! {},
                } }
            </div>
            <form class="search-form" onsubmit={on_search}>
                <h2>{ "docker search" }</h2>
                <input ref={term} id="search-term" placeholder="nginx, or host:5000/term to search a registry's catalog" size="40" />
                <label>{ "limit " }<input ref={limit} id="search-limit" type="number" min="1" max="100" value="25" /></label>
                <label>{ "stars ≥ " }<input ref={stars} id="search-stars" type="number" min="0" /></label>
                <label><input ref={official} id="search-official" type="checkbox" />{ " official only" }</label>
                <button id="search" type="submit">{ "Search" }</button>
            </form>
            { found_view(&found, &show_tags, &pull, &pick) }
        </section>
    }
}

fn found_view(found: &Found, show_tags: &Callback<String>, pull: &Callback<String>, pick: &Callback<String>) -> Html {
    match found {
        Found::Nothing => html! {},
        Found::Busy => html! { <p class="loading">{ "asking the registry…" }</p> },
        Found::Error(e) => html! { <p id="search-error" class="error">{ e.clone() }</p> },
        Found::Results(results) if results.is_empty() => html! { <p id="search-results" class="hint">{ "no results" }</p> },
        Found::Results(results) => html! {
            <table id="search-results" class="table">
                <thead><tr><th>{ "NAME" }</th><th>{ "DESCRIPTION" }</th><th>{ "STARS" }</th><th>{ "OFFICIAL" }</th><th></th></tr></thead>
                <tbody>
                    { for results.iter().map(|r| {
                        let (tags, pull, name) = (show_tags.reform({ let n = r.name.clone(); move |_: MouseEvent| n.clone() }), pull.reform({ let n = r.name.clone(); move |_: MouseEvent| n.clone() }), r.name.clone());
                        html! {
                            <tr data-name={name.clone()}>
                                <td class="mono">{ name }</td>
                                <td>{ r.description.replace(['\n', '\r'], " ") }</td>
                                <td class="num">{ r.star_count }</td>
                                <td>{ if r.is_official { "[OK]" } else { "" } }</td>
                                <td><button class="link tags" onclick={tags}>{ "tags" }</button>{ " " }<button class="link pull" onclick={pull}>{ "pull" }</button></td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        },
        Found::Tags(name, tags) => html! {
            <div id="tag-list">
                <h3>{ format!("Tags of {name} ({})", tags.len()) }</h3>
                { for tags.iter().map(|t| {
                    let full = format!("{name}:{t}");
                    let choose = pick.reform({ let f = full.clone(); move |_: MouseEvent| f.clone() });
                    html! { <button class="link tag mono" data-tag={t.clone()} onclick={choose}>{ t.clone() }</button> }
                }) }
            </div>
        },
    }
}
