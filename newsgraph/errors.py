"""Coded errors: bad input is recorded per article, programmer and configuration errors raise.

Exception tree::

    NewsgraphError
    ├── BadInput        an input that cannot be analysed (recorded as a Problem, batch goes on)
    ├── ConfigError     a bad settings file, stage name or option (raises, nothing is read)
    └── StoreError      the store cannot be opened or written (newer schema, bad URL)
"""

from __future__ import annotations


class Codes:
    """Error codes with their message templates, kept out of the logic (searchable)."""

    # Bad input: E0xx
    E001 = "No such file or directory: {path}"
    E002 = "Input is empty (no text after decoding)"
    E003 = "Input looks binary, not text ({detail})"
    E004 = "Could not decode the bytes as text: {detail}"
    E005 = "HTML page has no article text that could be extracted"
    E006 = "Input has {size} characters, over the limit of {limit} (setting ingest.max_chars)"
    E007 = "JSON Lines record is not valid: {detail}"
    E008 = "Metadata value {field}={value!r} is not valid: {detail}"
    E009 = (
        "The text is in language {language!r}, which the spaCy pipeline {model!r} does not read"
        " (it reads {supported!r}); nothing was extracted"
    )
    E010 = "Could not read the input: {detail}"
    E011 = "URL {url} is not allowed: {detail}"
    E012 = "Could not fetch {url}: {detail}"
    E013 = "Response from {url} is over the size limit of {limit} bytes"
    E014 = "Feed {source} could not be read: {detail}"
    E015 = "WARC file {source} could not be read: {detail}"
    E016 = "Analysis failed unexpectedly ({detail}); this is a bug, please report it with the input"
    E017 = "Could not write the output {path}: {detail}"
    # Configuration: E1xx
    E101 = "Unknown stage factory {factory!r} for stage {stage!r}; known: {known}"
    E102 = "Stage {stage!r} requires {missing} but no earlier stage provides it (order: {order})"
    E103 = "Bad options for stage {stage!r}: {detail}"
    E104 = "Stage {stage!r} returned {type_name} instead of an Article"
    E105 = "Settings file {path} is not valid: {detail}"
    E106 = "spaCy pipeline {model!r} is not installed: {detail}"
    E107 = "Data file {path} is not valid: {detail}"
    E108 = "Unknown stage {stage!r}: no [stages.{stage}] table in the settings; known: {known}"
    E109 = "Unknown settings profile {profile!r}; known: {known} ([profiles.NAME] tables of {path})"
    # Store: E2xx
    E201 = (
        "Store {db} has schema revision {revision}, written by a newer newsgraph "
        "(this one knows up to {head}); upgrade newsgraph to open it"
    )
    E202 = "Could not open the store {db}: {detail}"
    E203 = "Article {input} contains a NUL character, which the store cannot hold"
    E204 = "Nothing in the store matches {what}"
    E205 = "No claim group {group!r} in the store (list them with newsgraph claims)"
    E206 = "Claim group {group!r} is gone: {detail} (list the current groups with newsgraph claims)"
    # Cross-article linking: E3xx
    E301 = "No cross-article entity {corpus_id!r}"
    E302 = "Cannot split {corpus_id}: {detail}"
    # Server (REST API): E4xx
    E401 = "Request is not valid: {detail}"
    E402 = "No such page or endpoint: {path}"
    E403 = "Method {method} is not allowed on {path} (allowed: {allowed})"
    E404 = "Request body is over the limit of {limit} bytes (serve --max-body)"
    E405 = "This request writes to the store and needs the server's token (Authorization: Bearer TOKEN)"
    E406 = "The token sent does not match the server's"
    E407 = "Cursor is not valid for this query: {detail}"
    E408 = "Internal server error ({detail}); this is a bug, please report it with the request"
    E409 = "No article {article_id!r} in the store"
    E410 = (
        "serve cannot use the in-memory store {db!r}: each thread and worker process would open"
        " its own empty copy; pass --db a file path or a postgresql:// URL"
    )
    # Batch engines (Ray): E5xx
    E501 = "--engine ray needs Ray, which is not installed: {extra} ({detail})"
    E502 = "Could not reach or start the Ray cluster ({address}): {detail}"
    E503 = (
        "{count} Ray workers died before any of them finished a task"
        " (is the same newsgraph installed on every node?): {detail}"
    )
    E504 = "--engine ray cannot have {writes!r} write a {dialect} store (workers write PostgreSQL only)"
    E505 = "{count} Ray workers died while writing the shard {shard}; stopped: {detail}"


class NewsgraphError(Exception):
    """Base of every error newsgraph raises on purpose."""

    def __init__(self, code: str, **values: object) -> None:
        self.code = code
        self.values = values
        template = getattr(Codes, code)
        super().__init__(f"[{code}] {template.format(**values)}")

    @property
    def message(self) -> str:
        return str(self)

    @classmethod
    def recorded(cls, code: str, message: str) -> NewsgraphError:
        """The error again from a recorded ``Problem`` (its code and finished message)."""
        err = cls.__new__(cls)
        Exception.__init__(err, message)
        err.code, err.values = code, {}
        return err


class BadInput(NewsgraphError):
    """An input newsgraph cannot analyse; the runner records it and goes on."""


class ConfigError(NewsgraphError):
    """A settings, stage or option error: raised before any article is read."""


class StoreError(NewsgraphError):
    """The store cannot be opened or written: a newer schema, a bad URL, an unreachable server."""
