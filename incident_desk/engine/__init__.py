"""Rules engine: declarative rule files -> validated models -> compiled matchers (imports domain only)."""
