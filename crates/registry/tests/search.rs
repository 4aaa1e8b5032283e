//! Search through a registry's catalog, and tag listing, paginated by the `Link` header.

use layerwise_registry::search::{search, SearchQuery};

use crate::common::{block_on, seeded};
use crate::pull::direct;

#[test]
fn catalog_search_and_tags_follow_the_link_header() {
    let registry = seeded();
    let client = direct();
    let host = registry.host();

    // One name per page: every page is reached through the registry's Link header.
    let mut names = Vec::new();
    let mut next = None;
    loop {
        let page = block_on(client.catalog(&host, 1, next.as_deref())).expect("catalog page");
        names.extend(page.items);
        match page.next {
            Some(n) => next = Some(n),
            None => break,
        }
    }
    assert_eq!(names, ["test/app", "test/base", "test/multi", "test/oci"]);

    let found = block_on(search(&client, &SearchQuery::new(&format!("{host}/app")))).expect("search");
    assert_eq!(found.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), [format!("{host}/test/app")]);
    let mut limited = SearchQuery::new(&format!("{host}/test"));
    limited.limit = 2;
    assert_eq!(block_on(search(&client, &limited)).expect("search").len(), 2);
    let mut stars = SearchQuery::new(&format!("{host}/test"));
    stars.filter("stars=1").expect("filter");
    assert!(block_on(search(&client, &stars)).expect("search").is_empty(), "catalog results have no stars");

    let tags = block_on(client.tags(&host, "test/app", 10, None)).expect("tags");
    assert_eq!(tags.items, ["1"]);
    assert_eq!(tags.next, None);
}
