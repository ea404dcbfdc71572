//! The channel config: parsing, every kind of mistake, the resolution order
//! of a channel name for a tenant, and secrets kept out of `Debug` output
//! and errors.

use super::support::{
    self, ACME_PD_KEY, CHAT_SECRET, CHAT_TOKEN, CHAT_URL_TOKEN, PD_KEY, channels, parse,
};
use std::time::Duration;
use upkeep_runtime::notify::{ChannelError, Channels, Kind, PAGERDUTY_URL, Phase};

/// The example of docs/channels.md, with the file secret in `dir`.
fn full_config(dir: &std::path::Path) -> String {
    let key_file = dir.join("pd.key");
    std::fs::write(&key_file, "file-routing-key-7777\n").unwrap();
    format!(
        r#"
[channels.page]
kind = "pagerduty"
routing_key_env = "UPKEEP_PAGERDUTY_KEY"

[channels."page:dba-oncall"]
kind = "pagerduty"
routing_key_file = "{}"
url = "http://127.0.0.1:9/v2/enqueue"

[channels."chat:noc"]
kind = "webhook"
url = "https://chat.example/hooks/noc"
secret_env = "UPKEEP_CHAT_SECRET"
headers = {{ Authorization = {{ env = "CHAT_TOKEN", prefix = "Bearer " }} }}

[channels.ticket]
kind = "ticket"
url = "https://psa-adapter.example/tickets"
send_resolved = true

[channels.alerts]
kind = "alertmanager"
url = "https://alerts.example/api/alertmanager"

[channels.audit]
kind = "file"
path = "notifications.jsonl"
send_resolved = false

[tenants.acme.channels.page]
kind = "pagerduty"
routing_key_env = "ACME_PD_KEY"
"#,
        key_file.display()
    )
}

#[test]
fn the_documented_example_parses_and_every_secret_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let channels = channels(&full_config(dir.path())).expect("valid config");
    let kinds = [
        (None, "page", Kind::PagerDuty),
        (None, "page:dba-oncall", Kind::PagerDuty),
        (None, "chat:noc", Kind::Webhook),
        (None, "ticket:servicedesk:high", Kind::Ticket),
        (None, "alerts", Kind::Alertmanager),
        (None, "audit", Kind::File),
        (Some("acme"), "page:anything", Kind::PagerDuty),
    ];
    for (tenant, name, kind) in kinds {
        assert_eq!(channels.kind(tenant, name), Ok(kind), "{name}");
    }
    assert_eq!(channels.sends_resolve(None, "audit"), Ok(false));
    assert_eq!(channels.sends_resolve(None, "ticket:x"), Ok(true));
    assert_eq!(channels.sends_resolve(None, "alerts"), Ok(true), "send_resolved defaults to true");

    // The file's routing key, without its line break, and the URL override.
    let event = support::trigger_event();
    let d = channels
        .prepare(None, "page:dba-oncall", &event, Phase::Trigger, "k", Duration::from_secs(5), None)
        .unwrap()
        .unwrap();
    let upkeep_runtime::notify::Delivery::Webhook { request, .. } = &d else { panic!("{d:?}") };
    let upkeep_runtime::exec::ActionKind::Webhook { url, body, .. } = &request.kind else {
        panic!("{request:?}")
    };
    assert_eq!(url, "http://127.0.0.1:9/v2/enqueue");
    assert_eq!(body["routing_key"], "file-routing-key-7777");
    // The default URL, and the tenant's own key.
    let d = channels
        .prepare(
            Some("acme"),
            "page:dba",
            &event,
            Phase::Trigger,
            "k",
            Duration::from_secs(5),
            None,
        )
        .unwrap()
        .unwrap();
    let upkeep_runtime::notify::Delivery::Webhook { request, .. } = &d else { panic!("{d:?}") };
    let upkeep_runtime::exec::ActionKind::Webhook { url, body, .. } = &request.kind else {
        panic!("{request:?}")
    };
    assert_eq!(url, PAGERDUTY_URL);
    assert_eq!(body["routing_key"], ACME_PD_KEY);
}

#[test]
fn an_empty_config_has_no_channels() {
    let channels = channels("").unwrap();
    assert!(matches!(channels.kind(None, "page"), Err(ChannelError::NotConfigured { .. })));
}

/// A config that does not parse, and what its error must say.
fn parse_error(text: &str) -> String {
    match parse(text) {
        Ok(config) => panic!("parsed: {config:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn an_unknown_kind_is_rejected_with_the_channel_name() {
    let e = parse_error("[channels.page]\nkind = \"pagerdutyy\"\nrouting_key_env = \"X\"\n");
    assert!(e.contains("channel `page`") && e.contains("unknown variant `pagerdutyy`"), "{e}");
    let e = parse_error("[channels.page]\nrouting_key_env = \"X\"\n");
    assert!(e.contains("channel `page`") && e.contains("missing field `kind`"), "{e}");
}

#[test]
fn an_unknown_key_is_rejected_with_the_channel_and_the_key() {
    let e = parse_error("[channels.page]\nkind = \"pagerduty\"\nrouting_kye_env = \"X\"\n");
    assert!(e.contains("channel `page`") && e.contains("unknown field `routing_kye_env`"), "{e}");
    // A key of another kind is unknown too.
    let e = parse_error("[channels.audit]\nkind = \"file\"\npath = \"a\"\nurl = \"http://x\"\n");
    assert!(e.contains("channel `audit`") && e.contains("unknown field `url`"), "{e}");
    let e = parse_error(
        "[tenants.acme.channels.\"chat:noc\"]\nkind = \"webhook\"\nurl = \"http://x\"\nsecrte = \"s\"\n",
    );
    assert!(e.contains("tenant `acme`: channel `chat:noc`: unknown field `secrte`"), "{e}");
    let e = parse_error("[tenants.acme]\nchanels = {}\n");
    assert!(e.contains("tenant `acme`") && e.contains("unknown field `chanels`"), "{e}");
    let e = parse_error(
        "[channels.c]\nkind = \"webhook\"\nurl = \"http://x\"\nheaders = { A = { envv = \"X\" } }\n",
    );
    assert!(e.contains("channel `c`") && e.contains("unknown field `envv`"), "{e}");
}

#[test]
fn a_file_channel_needs_a_path() {
    let e = parse_error("[channels.audit]\nkind = \"file\"\n");
    assert!(e.contains("channel `audit`") && e.contains("missing field `path`"), "{e}");
}

/// A config that parses but is refused by `Channels::new`.
fn build_error(text: &str) -> ChannelError {
    match channels(text) {
        Ok(c) => panic!("accepted: {c:?}"),
        Err(e) => e,
    }
}

#[test]
fn a_webhook_without_a_url_is_an_error_naming_the_channel() {
    for kind in ["webhook", "ticket", "alertmanager"] {
        let e = build_error(&format!("[tenants.acme.channels.x]\nkind = \"{kind}\"\n"));
        assert_eq!(
            e.to_string(),
            "tenants.acme.channels.x: set one of `url`, `url_env`, `url_file`",
            "{kind}"
        );
    }
    let e = build_error("[channels.x]\nkind = \"webhook\"\nurl = \"ftp://x\"\n");
    assert_eq!(e.to_string(), "channels.x: the URL must start with http:// or https://");
}

#[test]
fn a_missing_environment_variable_is_an_error_at_startup() {
    let e = build_error("[channels.page]\nkind = \"pagerduty\"\nrouting_key_env = \"NOT_SET\"\n");
    assert_eq!(
        e,
        ChannelError::MissingEnv {
            channel: "channels.page".into(),
            field: "routing_key_env".into(),
            var: "NOT_SET".into(),
        }
    );
    let text = e.to_string();
    assert!(text.contains("channels.page") && text.contains("`NOT_SET`"), "{text}");
    let e = build_error(
        "[channels.c]\nkind = \"webhook\"\nurl = \"http://x\"\nheaders = { Authorization = { env = \"NOPE\" } }\n",
    );
    assert!(
        matches!(&e, ChannelError::MissingEnv { field, .. } if field == "headers.Authorization.env"),
        "{e:?}"
    );
    let e = build_error("[channels.page]\nkind = \"pagerduty\"\nrouting_key_env = \"EMPTY\"\n");
    assert!(matches!(e, ChannelError::EmptySecret { .. }), "{e:?}");
}

#[test]
fn an_unreadable_secret_file_is_an_error_at_startup() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.key");
    let e = build_error(&format!(
        "[channels.c]\nkind = \"webhook\"\nurl = \"http://x\"\nsecret_file = \"{}\"\n",
        missing.display()
    ));
    let ChannelError::UnreadableFile { channel, field, path, .. } = &e else { panic!("{e:?}") };
    assert_eq!((channel.as_str(), field.as_str(), path), ("channels.c", "secret_file", &missing));
    assert!(e.to_string().contains("missing.key"), "{e}");
    // A directory cannot be read as a secret either.
    let e = build_error(&format!(
        "[channels.p]\nkind = \"pagerduty\"\nrouting_key_file = \"{}\"\n",
        dir.path().display()
    ));
    assert!(matches!(e, ChannelError::UnreadableFile { .. }), "{e:?}");
}

#[test]
fn a_secret_needs_exactly_one_source_and_headers_are_checked() {
    let e = build_error("[channels.page]\nkind = \"pagerduty\"\n");
    assert!(e.to_string().contains("set one of `routing_key`, `routing_key_env`"), "{e}");
    let e = build_error(
        "[channels.page]\nkind = \"pagerduty\"\nrouting_key = \"a\"\nrouting_key_env = \"ACME_PD_KEY\"\n",
    );
    assert!(e.to_string().contains("set only one of `routing_key`, `routing_key_env`"), "{e}");
    for (header, problem) in [
        ("X-Upkeep-Key = { value = \"v\" }", "sets this header itself"),
        ("\"Content-Type\" = { value = \"v\" }", "sets this header itself"),
        ("\"Bad Name\" = { value = \"v\" }", "not a valid header name"),
        ("A = { value = \"a\\r\\nX-Evil: 1\" }", "line break"),
        ("A = { prefix = \"Bearer \" }", "set one of `value`, `env`, `file`"),
    ] {
        let e = build_error(&format!(
            "[channels.c]\nkind = \"webhook\"\nurl = \"http://x\"\nheaders = {{ {header} }}\n"
        ));
        assert!(e.to_string().contains(problem), "{header}: {e}");
        assert!(!e.to_string().contains("X-Evil"), "the value is not quoted: {e}");
    }
}

fn resolution_config() -> Channels {
    let file = |name: &str| format!("kind = \"file\"\npath = \"{name}\"\n");
    channels(&format!(
        "[tenants.acme.channels.\"page:dba\"]\n{}[tenants.acme.channels.page]\n{}\
         [channels.\"page:dba\"]\n{}[channels.page]\n{}[channels.\"page:web\"]\n{}\
         [channels.\"ticket:a\"]\n{}[channels.ticket]\n{}",
        file("a"),
        file("b"),
        file("c"),
        file("d"),
        file("e"),
        file("f"),
        file("g"),
    ))
    .unwrap()
}

#[test]
fn a_name_resolves_tenant_exact_then_tenant_prefix_then_provider_exact_then_prefix() {
    let c = resolution_config();
    let cases = [
        (Some("acme"), "page:dba", "tenants.acme.channels.\"page:dba\""),
        (Some("acme"), "page:web", "tenants.acme.channels.page"),
        (Some("acme"), "page", "tenants.acme.channels.page"),
        (Some("globex"), "page:dba", "channels.\"page:dba\""),
        (Some("globex"), "page:web", "channels.\"page:web\""),
        (Some("globex"), "page:db", "channels.page"),
        (None, "page:dba", "channels.\"page:dba\""),
        (None, "page", "channels.page"),
        // The prefix is the text before the FIRST colon.
        (None, "ticket:a:high", "channels.ticket"),
        (None, "ticket:a", "channels.\"ticket:a\""),
    ];
    for (tenant, name, want) in cases {
        assert_eq!(c.config_path(tenant, name), Ok(want), "{tenant:?} {name}");
    }
}

#[test]
fn an_unknown_name_says_which_tables_would_configure_it() {
    let c = resolution_config();
    let e = c.config_path(Some("acme"), "chat:noc").unwrap_err();
    assert_eq!(
        e,
        ChannelError::NotConfigured { name: "chat:noc".into(), tenant: Some("acme".into()) }
    );
    assert_eq!(
        e.to_string(),
        "no notification channel `chat:noc` for tenant `acme`: add one of \
         [tenants.acme.channels.\"chat:noc\"], [tenants.acme.channels.chat], \
         [channels.\"chat:noc\"], [channels.chat] to the runtime config (see docs/channels.md)"
    );
    let e = c.config_path(None, "chat").unwrap_err();
    assert_eq!(
        e.to_string(),
        "no notification channel `chat` for provider-wide (no tenant): add one of \
         [channels.chat] to the runtime config (see docs/channels.md)"
    );
    let event = support::trigger_event();
    let prepared = c.prepare(None, "chat", &event, Phase::Trigger, "k", Duration::ZERO, None);
    assert!(matches!(prepared, Err(ChannelError::NotConfigured { .. })));
}

#[test]
fn secrets_never_appear_in_debug_output_or_errors() {
    let inline = "inline-routing-key-4242";
    let text = format!(
        "[channels.page]\nkind = \"pagerduty\"\nrouting_key = \"{inline}\"\n\
         [channels.chat]\nkind = \"webhook\"\nurl_env = \"CHAT_URL\"\nsecret_env = \"UPKEEP_CHAT_SECRET\"\n\
         headers = {{ Authorization = {{ env = \"CHAT_TOKEN\", prefix = \"Bearer \" }}, X-Inline = {{ value = \"{inline}\" }} }}\n\
         [tenants.acme.channels.page]\nkind = \"pagerduty\"\nrouting_key_env = \"ACME_PD_KEY\"\n"
    );
    let config = parse(&text).unwrap();
    let channels = Channels::new(&config, &support::env).unwrap();
    let mut outputs = vec![format!("{config:?}"), format!("{channels:?}")];
    for (tenant, name) in [(None, "page"), (None, "chat"), (Some("acme"), "page")] {
        for phase in [Phase::Trigger, Phase::Resolve] {
            let event = support::trigger_event();
            let d = channels.prepare(tenant, name, &event, phase, "k", Duration::ZERO, None);
            let d = d.unwrap().unwrap();
            outputs.push(format!("{d:?}"));
            outputs.push(d.describe().to_string());
        }
    }
    // A mistyped secret is not quoted back, nor are values in build errors.
    outputs.push(parse_error("[channels.p]\nkind = \"pagerduty\"\nrouting_key = 987654321\n"));
    outputs.push(parse_error(&format!(
        "[channels.p]\nkind = \"pagerduty\"\nrouting_kye = \"{inline}\"\n"
    )));
    outputs.push(build_error(&format!("[channels.p]\nkind = \"pagerduty\"\nrouting_key = \"{inline}\"\nrouting_key_file = \"/nonexistent\"\n")).to_string());
    outputs.push(format!("{:?}", build_error(&format!("[channels.p]\nkind = \"webhook\"\nurl = \"http://x\"\nheaders = {{ A = {{ value = \"{inline}\\n\" }} }}\n"))));
    for output in &outputs {
        for secret in
            [inline, PD_KEY, ACME_PD_KEY, CHAT_SECRET, CHAT_TOKEN, CHAT_URL_TOKEN, "987654321"]
        {
            assert!(!output.contains(secret), "`{secret}` leaked into: {output}");
        }
    }
    // The descriptions still say what they would do.
    assert!(outputs.iter().any(|o| o.contains("\"routing_key\":\"***\"")), "{outputs:#?}");
    assert!(outputs.iter().any(|o| o.contains("\"webhook\":\"***\"")), "{outputs:#?}");
}
