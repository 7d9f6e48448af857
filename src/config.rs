//! Configuration: file, environment and flags, and where things live on disk.
