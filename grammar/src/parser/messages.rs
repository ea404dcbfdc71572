//! Which `message` belongs to a level.
//!
//! `warn when eta < 3d for 30m message "fills in {eta}"` gives the `warn`
//! level its own message; a `message` clause on a line of its own is the
//! policy's default for every level. The rule is about lines because that is
//! what a reader sees: the grammar alone cannot tell the two apart (a level
//! clause may end where a `message` clause begins), so the parser reads both
//! as clauses and this pass, which knows the source, joins those that share
//! a line.

use crate::ast::{Clause, ClauseKind, Item};

pub fn attach_level_messages(items: &mut [Item], src: &str) {
    for item in items {
        if let Item::Policy(policy) = item {
            policy.clauses = attach(std::mem::take(&mut policy.clauses), src);
        }
    }
}

fn attach(clauses: Vec<Clause>, src: &str) -> Vec<Clause> {
    let mut out: Vec<Clause> = Vec::with_capacity(clauses.len());
    for clause in clauses {
        if let ClauseKind::Message(text) = &clause.kind
            && let Some(Clause { kind: ClauseKind::Level(level), span }) = out.last_mut()
            && level.message.is_none()
            && !src.get(span.end..clause.span.start).unwrap_or("\n").contains('\n')
        {
            level.message = Some(text.clone());
            *span = span.to(clause.span);
            continue;
        }
        out.push(clause);
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::ast::{ClauseKind, Item};
    use crate::parse;

    fn level_messages(src: &str) -> (usize, usize) {
        let parsed = parse(src);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let Item::Policy(p) = &parsed.file.items[0] else { panic!("not a policy") };
        let attached = p
            .clauses
            .iter()
            .filter(|c| matches!(&c.kind, ClauseKind::Level(l) if l.message.is_some()))
            .count();
        let standalone =
            p.clauses.iter().filter(|c| matches!(c.kind, ClauseKind::Message(_))).count();
        (attached, standalone)
    }

    #[test]
    fn a_message_on_the_level_line_belongs_to_the_level() {
        assert_eq!(level_messages("policy p on f {\n warn when x for 5m message \"a\"\n}"), (1, 0));
    }

    #[test]
    fn a_message_on_its_own_line_is_the_policy_default() {
        assert_eq!(
            level_messages("policy p on f {\n warn when x\n message \"a\"\n crit when y\n}"),
            (0, 1)
        );
        assert_eq!(
            level_messages("policy p on f {\n message \"a\"\n warn when x message \"b\"\n}"),
            (1, 1)
        );
    }
}
