//! `action` declarations into [`ActionPlan`]s: argv elements, URLs, bodies
//! and channels become text templates over the action's parameters.

use crate::package::Module;
use crate::plan::{ActionBodyPlan, ActionPlan};
use upkeep_grammar::ast::{ActionBody, ActionDecl, Expr, ExprKind, StrPart};

pub fn action(module: &Module, a: &ActionDecl) -> ActionPlan {
    let src = module.file.text.as_str();
    let template = |e: &Expr| template(src, e);
    let body = match &a.body {
        ActionBody::Exec { argv } => {
            ActionBodyPlan::Exec { argv: argv.iter().map(template).collect() }
        }
        ActionBody::Webhook { url, body } => ActionBodyPlan::Webhook {
            url: template(url),
            body: body.as_ref().map(|b| json(src, b)),
        },
        ActionBody::Notify { channel } => ActionBodyPlan::Notify { channel: template(channel) },
    };
    ActionPlan {
        name: a.name.name.clone(),
        module: module.path.clone(),
        params: a
            .params
            .iter()
            .map(|p| (p.name.name.clone(), p.default.as_ref().map(template)))
            .collect(),
        body,
    }
}

/// A text expression as a template: a string with its `{name}` parts, a
/// parameter's name as `{name}`, any other value as its source text
/// (numbers: `"300"`).
pub fn template(src: &str, e: &Expr) -> String {
    match &e.kind {
        ExprKind::Str(s) => s
            .parts
            .iter()
            .map(|p| match p {
                StrPart::Text(t) => t.replace('{', "{{").replace('}', "}}"),
                StrPart::Interp(name) => format!("{{{}}}", name.name),
            })
            .collect(),
        ExprKind::Name(n) => format!("{{{}}}", n.name),
        _ => src.get(e.span.range()).unwrap_or("").replace('{', "{{").replace('}', "}}"),
    }
}

/// A webhook body: records and lists as JSON, text leaves as templates.
fn json(src: &str, e: &Expr) -> serde_json::Value {
    match &e.kind {
        ExprKind::Record(fields) => serde_json::Value::Object(
            fields.iter().map(|f| (f.key.name.clone(), json(src, &f.value))).collect(),
        ),
        ExprKind::List(items) => {
            serde_json::Value::Array(items.iter().map(|i| json(src, i)).collect())
        }
        ExprKind::Bool(b) => serde_json::Value::Bool(*b),
        _ => serde_json::Value::String(template(src, e)),
    }
}
