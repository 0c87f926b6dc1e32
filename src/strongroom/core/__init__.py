"""The wiring: seal lifecycle, the request pipeline and the `sys/` backend."""

from strongroom.core.core import Core, CoreConfig, InitResult

__all__ = ["Core", "CoreConfig", "InitResult"]
