"""Use cases: the only layer the faces (command line, GUI) call. Composes domain, store, engine, plugins."""
