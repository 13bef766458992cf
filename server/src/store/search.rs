//! Issue search: the terms of a query ([`app::search`]) as one SQL condition over issues.
//! Tags, environments and releases are looked up in the per-issue tag counts the writer keeps.

use super::entities::{issue, issue_tag, user};
use app::model::IssueStatus;
use app::search::{AssignedTo, Cursor, Field, IssueState, Pattern, Query, Seen, Sort, Term};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, Query as Select};
use sea_orm::{ColumnTrait, Condition};

/// Who is searching (for `assigned:me`) and when (for `firstSeen:` and `lastSeen:`).
#[derive(Clone, Copy, Debug)]
pub struct Searcher {
    pub user_id: i64,
    pub now: DateTime<Utc>,
}

/// Every term of the query must hold.
pub fn condition(query: &Query, searcher: Searcher) -> Condition {
    query.terms.iter().fold(Condition::all(), |all, term| all.add(term_condition(term, searcher)))
}

fn term_condition(term: &Term, searcher: Searcher) -> Condition {
    match term {
        Term::Is { negated, state } => negate(*negated, is(*state)),
        Term::Match { negated, field: Field::Level, value } => {
            negate(*negated, Condition::all().add(matching(Expr::col(issue::Column::Level), value)))
        }
        Term::Match { negated, field, value } => {
            // EXISTS per issue (a lookup in the issue's own tag counts) rather than IN over every
            // issue carrying the value: the list stops after a page of matching issues, however
            // common the value is.
            let tagged = Select::select()
                .expr(Expr::val(1))
                .from(issue_tag::Entity)
                .and_where(
                    Expr::col((issue_tag::Entity, issue_tag::Column::IssueId))
                        .equals((issue::Entity, issue::Column::Id)),
                )
                .and_where(issue_tag::Column::Key.eq(field.key()))
                .and_where(matching(Expr::col(issue_tag::Column::Value), value))
                .to_owned();
            negate(*negated, Condition::all().add(Expr::exists(tagged)))
        }
        Term::Assigned { negated, to } => {
            let assigned = match to {
                AssignedTo::Me => issue::Column::AssigneeId.eq(searcher.user_id),
                AssignedTo::Email(email) => issue::Column::AssigneeId.in_subquery(
                    Select::select()
                        .column(user::Column::Id)
                        .from(user::Entity)
                        .and_where(user::Column::Email.eq(email.as_str()))
                        .to_owned(),
                ),
            };
            negate(*negated, Condition::all().add(assigned))
        }
        Term::Seen { which, bound } => {
            let column = match which {
                Seen::First => issue::Column::FirstSeen,
                Seen::Last => issue::Column::LastSeen,
            };
            // The parser allows a century at most; the calendar's start stands in all the same.
            let since = searcher.now.checked_sub_signed(bound.span).unwrap_or(DateTime::<Utc>::MIN_UTC);
            Condition::all().add(if bound.within { column.gte(since) } else { column.lt(since) })
        }
        Term::TimesSeen { comparison, count } => {
            let column = issue::Column::EventCount;
            let expr = match comparison {
                app::search::Comparison::Greater => column.gt(*count),
                app::search::Comparison::GreaterOrEqual => column.gte(*count),
                app::search::Comparison::Less => column.lt(*count),
                app::search::Comparison::LessOrEqual => column.lte(*count),
                app::search::Comparison::Equal => column.eq(*count),
            };
            Condition::all().add(expr)
        }
        Term::Text(text) => {
            let pattern = Pattern(format!("*{}*", text.to_lowercase()));
            let lowered = |column: issue::Column| Expr::expr(Func::lower(Expr::col(column)));
            Condition::any()
                .add(matching(lowered(issue::Column::Title), &pattern))
                .add(matching(lowered(issue::Column::Culprit), &pattern))
        }
    }
}

/// The column a list in `sort` order is ordered by (then by id, both descending).
pub fn sort_column(sort: Sort) -> issue::Column {
    match sort {
        Sort::LastSeen => issue::Column::LastSeen,
        Sort::FirstSeen => issue::Column::FirstSeen,
        Sort::Events => issue::Column::EventCount,
        Sort::Users => issue::Column::UserCount,
    }
}

/// The issues that come after the cursor in `sort` order.
pub fn after(sort: Sort, cursor: Cursor) -> Condition {
    let column = sort_column(sort);
    let value: sea_orm::Value = match sort {
        Sort::LastSeen | Sort::FirstSeen => DateTime::<Utc>::from_timestamp_nanos(cursor.value).into(),
        Sort::Events | Sort::Users => cursor.value.into(),
    };
    Condition::any()
        .add(Expr::col(column).lt(value.clone()))
        .add(Condition::all().add(Expr::col(column).eq(value)).add(issue::Column::Id.lt(cursor.id)))
}

fn is(state: IssueState) -> Condition {
    let condition = Condition::all();
    match state {
        IssueState::Unresolved => condition.add(issue::Column::Status.eq(IssueStatus::Unresolved.as_str())),
        IssueState::Resolved => condition.add(issue::Column::Status.eq(IssueStatus::Resolved.as_str())),
        IssueState::Ignored => condition.add(issue::Column::Status.eq(IssueStatus::Ignored.as_str())),
        IssueState::Regressed => condition.add(issue::Column::Substatus.eq("regressed")),
        IssueState::Escalating => condition.add(issue::Column::Substatus.eq("escalating")),
        IssueState::Assigned => condition.add(issue::Column::AssigneeId.is_not_null()),
        IssueState::Unassigned => condition.add(issue::Column::AssigneeId.is_null()),
    }
}

fn negate(negated: bool, condition: Condition) -> Condition {
    if negated { condition.not() } else { condition }
}

/// Equal to the value, or LIKE it when it has `*` wildcards (`%`, `_` and `\` taken literally).
fn matching(expr: Expr, value: &Pattern) -> Expr {
    if !value.has_wildcard() {
        return expr.eq(value.0.as_str());
    }
    let escaped = value.0.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_").replace('*', "%");
    expr.like(LikeExpr::new(escaped).escape('\\'))
}
