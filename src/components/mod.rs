//! The page's components, one per file.

mod console;
mod containers_view;
mod drop_zone;
mod edit_session;
mod error_banner;
mod file_explorer;
mod file_viewer;
mod history_view;
mod image_actions;
mod image_page;
mod images_view;
mod imports_panel;
mod json_tree;
mod layers_view;
mod registry_view;
mod virtual_list;
mod waste_view;

pub use console::Console;
pub use containers_view::ContainersView;
pub use drop_zone::DropZone;
pub use edit_session::EditSession;
pub use error_banner::ErrorBanner;
pub use file_explorer::{FileExplorer, ImageFs};
pub use file_viewer::FileViewer;
pub use history_view::HistoryView;
pub use image_actions::ImageActions;
pub use image_page::ImagePage;
pub use images_view::ImagesView;
pub use imports_panel::ImportsPanel;
pub use json_tree::JsonTree;
pub use layers_view::LayersView;
pub use registry_view::RegistryView;
pub use virtual_list::VirtualList;
pub use waste_view::WasteView;
