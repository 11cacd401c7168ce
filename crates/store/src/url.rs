//! `DatabaseUrl`: the configured database, parsed once (style.md: refuse unknown
//! schemes; vaultwarden sniffs carefully so a typo never creates a stray database).

use std::fmt;
use std::path::PathBuf;

/// A database location this build can open. `Debug` and `Display` hide a
/// PostgreSQL password.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `sqlite://PATH`: a relative (`sqlite://unlockd.db`) or absolute
    /// (`sqlite:///var/lib/unlockd/unlockd.db`) file path.
    Sqlite(PathBuf),
    /// `postgres://…` or `postgresql://…`: a libpq connection URL, kept whole (the
    /// database must exist; `unlockd migrate` creates the tables).
    Postgres(String),
}

/// Why a database URL was refused. Messages name the scheme only, never the rest of
/// the URL (it may hold a password).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DatabaseUrlError {
    /// No `scheme://` prefix.
    #[error("database URL has no scheme; use sqlite://PATH or postgres://HOST/DB")]
    NoScheme,
    /// A scheme no backend knows.
    #[error("unknown database URL scheme `{0}`; use sqlite://PATH or postgres://HOST/DB")]
    UnknownScheme(String),
    /// `sqlite://` without a path.
    #[error("sqlite URL has no path; use sqlite://PATH")]
    EmptyPath,
    /// `postgres://` with nothing after it.
    #[error("postgres URL names no server or database; use postgres://HOST/DB")]
    EmptyPostgres,
}

impl DatabaseUrl {
    /// Parses `sqlite://PATH`, `postgres://…` and `postgresql://…`; anything else is
    /// an unknown scheme.
    pub fn parse(s: &str) -> Result<Self, DatabaseUrlError> {
        let s = s.trim();
        let Some((scheme, rest)) = s.split_once("://") else {
            return Err(DatabaseUrlError::NoScheme);
        };
        match scheme.to_ascii_lowercase().as_str() {
            "sqlite" => {
                if rest.is_empty() {
                    Err(DatabaseUrlError::EmptyPath)
                } else {
                    Ok(Self::Sqlite(PathBuf::from(rest)))
                }
            }
            "postgres" | "postgresql" => {
                if rest.is_empty() {
                    Err(DatabaseUrlError::EmptyPostgres)
                } else {
                    Ok(Self::Postgres(s.to_owned()))
                }
            }
            other => Err(DatabaseUrlError::UnknownScheme(other.to_owned())),
        }
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(p) => write!(f, "sqlite://{}", p.display()),
            Self::Postgres(url) => f.write_str(&redact_password(url)),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// `scheme://user:secret@host/db` → `scheme://user:***@host/db`; anything without a
/// password in the authority stays as it is.
fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_url_takes_relative_and_absolute_paths() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://unlockd.db").unwrap(),
            DatabaseUrl::Sqlite(PathBuf::from("unlockd.db"))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///var/lib/unlockd/unlockd.db").unwrap(),
            DatabaseUrl::Sqlite(PathBuf::from("/var/lib/unlockd/unlockd.db"))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///var/lib/unlockd/unlockd.db")
                .unwrap()
                .to_string(),
            "sqlite:///var/lib/unlockd/unlockd.db"
        );
    }

    #[test]
    fn postgres_urls_are_kept_whole_and_shown_without_the_password() {
        let url =
            DatabaseUrl::parse("postgres://u:secret@db:5432/unlockd?sslmode=disable").unwrap();
        assert_eq!(
            url,
            DatabaseUrl::Postgres("postgres://u:secret@db:5432/unlockd?sslmode=disable".to_owned())
        );
        assert_eq!(
            url.to_string(),
            "postgres://u:***@db:5432/unlockd?sslmode=disable"
        );
        assert!(!format!("{url:?}").contains("secret"));
        assert_eq!(
            DatabaseUrl::parse("postgresql://127.0.0.1/x").unwrap(),
            DatabaseUrl::Postgres("postgresql://127.0.0.1/x".to_owned())
        );
        assert_eq!(
            DatabaseUrl::parse("postgres://postgres@h/d")
                .unwrap()
                .to_string(),
            "postgres://postgres@h/d"
        );
        assert_eq!(
            DatabaseUrl::parse("postgres://").unwrap_err(),
            DatabaseUrlError::EmptyPostgres
        );
    }

    #[test]
    fn unknown_schemes_bare_paths_and_empty_paths_are_refused() {
        assert_eq!(
            DatabaseUrl::parse("mysql://db").unwrap_err(),
            DatabaseUrlError::UnknownScheme("mysql".to_owned())
        );
        assert_eq!(
            DatabaseUrl::parse("unlockd.db").unwrap_err(),
            DatabaseUrlError::NoScheme
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite://").unwrap_err(),
            DatabaseUrlError::EmptyPath
        );
    }
}
