//! Session Drop core: builds and interprets senhasegura PAM "drop session" API calls.
