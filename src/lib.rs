//! The Layerwise web app.
