"""What the bench scripts share."""
import os
import time


def creation_us(directory, count=50):
    """Mean microseconds to create an empty file where the deliveries write
    (left in place: deleting them would slow the next creations)."""
    os.makedirs(directory, exist_ok=True)
    t0 = time.perf_counter()
    for i in range(count):
        os.close(os.open(os.path.join(directory, "f%d" % i), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return (time.perf_counter() - t0) * 1e6 / count
