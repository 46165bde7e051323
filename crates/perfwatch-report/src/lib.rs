//! Renderers for perfwatch: terminal summary, JSON, CSV, Markdown.
