"""The Chainlit files copied into the UI's app root (package data; see ``agent.ui.data.prepare_app_root``)."""
