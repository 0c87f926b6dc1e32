"""The only place where storage meets crypto."""

from strongroom.barrier.barrier import KEYRING_PATH, Barrier
from strongroom.barrier.view import BarrierView

__all__ = ["KEYRING_PATH", "Barrier", "BarrierView"]
