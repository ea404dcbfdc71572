//! `action` declarations as the executor needs them: the argv of `exec`,
//! the URL and JSON body of `webhook`, the channel of `notify`, each part a
//! text template over the action's parameters (`{service}`), rendered per
//! call by the runtime.

use serde::{Deserialize, Serialize};

/// `action restart_service(host: host, service: text) = exec ["systemctl", "restart", service]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionPlan {
    pub name: String,
    pub module: String,
    /// Parameter names in order, with their default as a template.
    pub params: Vec<(String, Option<String>)>,
    pub body: ActionBodyPlan,
}

/// Templates use `{name}` for a parameter and `{{`/`}}` for literal braces.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ActionBodyPlan {
    /// One template per argument: each renders to exactly one argument,
    /// whatever the values contain.
    Exec {
        argv: Vec<String>,
    },
    /// The body is JSON whose string leaves are templates.
    Webhook {
        url: String,
        body: Option<serde_json::Value>,
    },
    Notify {
        channel: String,
    },
}
