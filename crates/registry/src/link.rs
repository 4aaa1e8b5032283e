//! The `Link` header of paginated listings (RFC 8288): `<url>; rel="next"`.

/// The target of the `rel="next"` link, as written (it may be relative).
pub fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (target, params) = part.trim().split_once(';')?;
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        let next = params.split(';').any(|p| {
            let p = p.trim();
            p.strip_prefix("rel=").is_some_and(|v| v.trim_matches('"').split_whitespace().any(|r| r.eq_ignore_ascii_case("next")))
        });
        next.then(|| target.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_next_links() {
        assert_eq!(next_link(r#"</v2/_catalog?last=alpha%2Fone&n=1>; rel="next""#).as_deref(), Some("/v2/_catalog?last=alpha%2Fone&n=1"));
        assert_eq!(next_link(r#"<https://a/prev>; rel="prev", <https://a/next>; rel=next"#).as_deref(), Some("https://a/next"));
        assert_eq!(next_link("garbage"), None);
    }
}
