//! What docker prints, computed from the store's records: the `docker images`, `docker history`
//! and `docker inspect` views, and the Engine API responses the docker CLI builds them from.
//!
//! The page's console, its tables and the native Engine API harness all use these functions, so
//! the page can never disagree with what the real docker CLI prints for the same store.

mod container_inspect;
mod container_list;
mod containers;
mod history;
mod images;
mod inspect;
mod layers;
mod preview;
mod search;
mod table;
mod units;

pub use container_inspect::{container_inspect, ContainerConfig, ContainerInspect, ContainerState};
pub use container_list::{list_containers, ContainerQuery};
pub use containers::{container_summaries, ps_table, ContainerSummary, PsRow, PS_HEADERS};
pub use history::{history, history_created_since, history_table, history_text, HistoryItem, HistoryOptions};
pub use images::{filter_images, filter_reference, image_summaries, images_table, images_text, ImageRow, ImageSummary, ImagesOptions, SharedSizes};
pub use inspect::{inspect, inspect_json, InspectResponse};
pub use layers::{layers, LayerRow};
pub use preview::{hexdump, preview, Preview};
pub use search::{search_table, SearchResult};
pub use table::{ellipsis, tabwrite};
pub use units::{created_since, format_rfc3339_nano, go_time, go_time_string, human_duration, human_size, human_size_with_precision, parse_time, unix_seconds};
