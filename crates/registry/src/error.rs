//! Why a registry operation failed, in words close to docker's.

use layerwise_core::digest::Digest;

/// A registry operation's failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// No HTTP answer (no connection, a cut body, a browser refusal).
    #[error("{url}: {reason}")]
    Transport {
        /// What was requested.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The registry answered with an error status.
    #[error("{url}: {status} {message}")]
    Status {
        /// What was requested.
        url: String,
        /// The status code.
        status: u16,
        /// The registry's own error text (`manifest unknown: manifest unknown`), or the body's start.
        message: String,
    },
    /// Auth failed or was refused (docker: "pull access denied … may require 'docker login'").
    #[error("access denied for {repository}, repository does not exist or may require credentials: {detail}")]
    Denied {
        /// The repository.
        repository: String,
        /// The registry's or token server's words.
        detail: String,
    },
    /// The content is not what its digest says.
    #[error("{what}: digest mismatch: expected {expected}, got {actual}")]
    DigestMismatch {
        /// What was fetched.
        what: String,
        /// The digest asked for or announced.
        expected: Digest,
        /// The digest of the bytes received.
        actual: Digest,
    },
    /// The content is malformed or breaks a limit.
    #[error("{what}: {reason}")]
    Invalid {
        /// What was fetched.
        what: String,
        /// What is wrong.
        reason: String,
    },
}

/// The text of a registry's error body (`{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}`)
/// as docker prints it (`manifest unknown: manifest unknown`), else the start of the body.
pub fn error_text(body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct Errors {
        errors: Vec<Item>,
    }
    #[derive(serde::Deserialize)]
    struct Item {
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: String,
    }
    if let Ok(parsed) = serde_json::from_slice::<Errors>(body) {
        let texts: Vec<String> = parsed
            .errors
            .iter()
            .map(|e| {
                let code = e.code.to_ascii_lowercase().replace('_', " ");
                if e.message.is_empty() { code } else { format!("{code}: {}", e.message) }
            })
            .collect();
        if !texts.is_empty() {
            return layerwise_core::text::clip(&texts.join(", "), 500);
        }
    }
    layerwise_core::text::clip(String::from_utf8_lossy(body).trim(), 300)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_registry_error_bodies() {
        assert_eq!(error_text(br#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"x"}}]}"#), "manifest unknown: manifest unknown");
        assert_eq!(error_text(b"You have reached your pull rate limit."), "You have reached your pull rate limit.");
    }
}
