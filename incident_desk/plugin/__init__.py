"""Plugin system (pluggy): hook specifications and the typed facade the app calls them through.

What a plugin author needs is exported here: `hookimpl`, the notifier types (`Notifier`,
`BaseNotifier`, `NotifierConfig`, `Message`, `DeliveryResult`, `Secret`) and the HTTP helper.
"""

from .http import encode_json, post_json, scrub
from .manager import (
    BUILTIN_PLUGINS,
    NotifierType,
    PluginFailure,
    PluginInfo,
    Plugins,
    Provided,
    default_plugins_dir,
)
from .markers import hookimpl, hookspec
from .types import BaseNotifier, DeliveryResult, Message, Notifier, NotifierConfig, Secret, is_secret_reference

__all__ = [
    "BUILTIN_PLUGINS", "BaseNotifier", "DeliveryResult", "Message", "Notifier", "NotifierConfig", "NotifierType",
    "PluginFailure", "PluginInfo", "Plugins", "Provided", "Secret", "default_plugins_dir", "encode_json",
    "hookimpl", "hookspec", "is_secret_reference", "post_json", "scrub",
]
