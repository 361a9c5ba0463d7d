//! Docker Engine adapter for images: connect to the engine ([`docker`]), build a context tar
//! that honours `.dockerignore` ([`dockerignore`], [`context`]), run a build and turn its JSON
//! message stream into [`build::BuildEvent`]s ([`build`]), and name images from git ([`tags`]).
//!
//! The pure parts (`dockerignore`, the tag naming in `tags`, the message parsing in `build`)
//! take plain values; only `docker` and the `run` functions talk to the engine.

pub mod build;
pub mod context;
pub mod docker;
pub mod dockerconfig;
pub mod dockerignore;
pub mod list;
pub mod local;
pub mod prepare;
pub mod push;
pub mod push_stream;
pub mod pushed;
pub mod setup;
pub mod tags;
pub mod target;
