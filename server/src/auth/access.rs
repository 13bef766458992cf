//! Roles in projects. The instance owner is an admin everywhere; others have the role their
//! membership gives; an API token never exceeds its scope. A project the caller is not a member
//! of does not exist for them: its objects answer 404, never 403 and never data.

use super::AuthError;
use super::Principal;
use crate::store::{members, projects};
use app::model::Role;
use sea_orm::{ConnectionTrait, DbErr};

/// The caller's role in the project, `None` when they are not a member or it does not exist.
pub async fn role_in(db: &impl ConnectionTrait, principal: &Principal, project_id: i64) -> Result<Option<Role>, DbErr> {
    let own = if principal.is_owner {
        projects::get(db, project_id).await?.map(|_| Role::Admin)
    } else {
        members::role(db, project_id, principal.user_id).await?
    };
    Ok(own.map(|role| role.min(principal.cap())))
}

/// Succeeds with the caller's role when it is at least `needed`; a stranger to the project gets
/// 404 for `what`, a member with too small a role 403.
pub async fn require(
    db: &impl ConnectionTrait,
    principal: &Principal,
    project_id: i64,
    needed: Role,
    what: &'static str,
) -> Result<Role, AuthError> {
    match role_in(db, principal, project_id).await? {
        None => Err(AuthError::NotFound(what)),
        Some(role) if role < needed => Err(AuthError::Forbidden("your role in this project does not allow this")),
        Some(role) => Ok(role),
    }
}

/// The projects whose issues and events the caller may read: `None` for all of them.
pub async fn readable_projects(db: &impl ConnectionTrait, principal: &Principal) -> Result<Option<Vec<i64>>, DbErr> {
    if principal.is_owner {
        return Ok(None);
    }
    Ok(Some(members::projects_of(db, principal.user_id).await?.into_iter().map(|(project, _)| project).collect()))
}

/// The projects whose issues the caller may triage (at least a member): `None` for all of them.
pub async fn triageable_projects(db: &impl ConnectionTrait, principal: &Principal) -> Result<Option<Vec<i64>>, DbErr> {
    if principal.cap() < Role::Member {
        return Ok(Some(Vec::new()));
    }
    if principal.is_owner {
        return Ok(None);
    }
    let memberships = members::projects_of(db, principal.user_id).await?;
    Ok(Some(memberships.into_iter().filter(|(_, role)| *role >= Role::Member).map(|(project, _)| project).collect()))
}

/// Instance administration: users, invites, metrics.
pub fn require_owner(principal: &Principal) -> Result<(), AuthError> {
    if principal.acts_as_owner() { Ok(()) } else { Err(AuthError::Forbidden("only the instance owner may do this")) }
}
