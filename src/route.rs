//! The page's routes, kept in the URL fragment so every view can be bookmarked and reloaded.

/// A view of the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `#/`: the images in the store.
    Images,
    /// `#/images/<id or prefix or name>`: one image's inspect and history.
    Image(String),
    /// `#/registry`: search and pull.
    Registry,
    /// `#/console`: docker's commands.
    Console,
}

impl Route {
    /// The route of a URL fragment (with or without the leading `#`); unknown ones show the images.
    pub fn from_hash(hash: &str) -> Self {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        match path {
            "registry" => return Self::Registry,
            "console" => return Self::Console,
            _ => {}
        }
        match path.strip_prefix("images/") {
            Some(name) if !name.is_empty() => Self::Image(percent_encoding::percent_decode_str(name).decode_utf8_lossy().into_owned()),
            _ => Self::Images,
        }
    }

    /// The URL fragment of this route.
    pub fn to_hash(&self) -> String {
        match self {
            Self::Images => "#/".to_owned(),
            Self::Image(name) => format!("#/images/{name}"),
            Self::Registry => "#/registry".to_owned(),
            Self::Console => "#/console".to_owned(),
        }
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_routes() {
        assert_eq!(Route::from_hash(""), Route::Images);
        assert_eq!(Route::from_hash("#/"), Route::Images);
        assert_eq!(Route::from_hash("#/images/85fdf8dbed08"), Route::Image("85fdf8dbed08".into()));
        assert_eq!(Route::from_hash("#/images/test%2Fapp:1"), Route::Image("test/app:1".into()));
        assert_eq!(Route::Image("abc".into()).to_hash(), "#/images/abc");
    }
}
