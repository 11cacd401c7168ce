//! `DatabaseUrl`: the configured database, parsed once (style.md: refuse unknown
//! schemes; vaultwarden sniffs carefully so a typo never creates a stray database).

use std::fmt;
use std::path::PathBuf;

/// A database location this build can open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `sqlite://PATH`: a relative (`sqlite://unlockd.db`) or absolute
    /// (`sqlite:///var/lib/unlockd/unlockd.db`) file path.
    Sqlite(PathBuf),
}

/// Why a database URL was refused. Messages name the scheme only, never the rest of
/// the URL (it may hold a password).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DatabaseUrlError {
    /// No `scheme://` prefix.
    #[error("database URL has no scheme; use sqlite://PATH")]
    NoScheme,
    /// A scheme no backend knows.
    #[error("unknown database URL scheme `{0}`; use sqlite://PATH")]
    UnknownScheme(String),
    /// A known backend that this build does not include.
    #[error("database backend `{0}` is not built in this version; use sqlite://PATH")]
    NotBuilt(&'static str),
    /// `sqlite://` without a path.
    #[error("sqlite URL has no path; use sqlite://PATH")]
    EmptyPath,
}

impl DatabaseUrl {
    /// Parses `sqlite://PATH`; `postgres://` and `postgresql://` are recognised and
    /// refused as not built; anything else is an unknown scheme.
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
            "postgres" | "postgresql" => Err(DatabaseUrlError::NotBuilt("postgresql")),
            other => Err(DatabaseUrlError::UnknownScheme(other.to_owned())),
        }
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(p) => write!(f, "sqlite://{}", p.display()),
        }
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
    fn postgres_is_recognised_but_not_built_and_the_message_hides_the_password() {
        let err = DatabaseUrl::parse("postgres://u:secret@db/unlockd").unwrap_err();
        assert_eq!(err, DatabaseUrlError::NotBuilt("postgresql"));
        assert!(!err.to_string().contains("secret"));
        assert_eq!(
            DatabaseUrl::parse("postgresql://db/x").unwrap_err(),
            DatabaseUrlError::NotBuilt("postgresql")
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
