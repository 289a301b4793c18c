"""Publishing the gated marts: files for analysts, the official xlsx, restricted exports."""
