#!/usr/bin/env python3
"""Makes www/data/photos.bin, the colourisation demo's photographs, from scikit-image's sample
images (all public domain or CC0; see LICENSE-photos.txt beside this script).

    pip download --no-deps scikit-image==0.25.2 --only-binary=:all: \
        --python-version 3.12 --platform manylinux2014_x86_64 -d /tmp/skimage
    python3 www/data/make-photos.py /tmp/skimage/scikit_image-0.25.2-*.whl

Each photograph is scaled (Pillow, Lanczos) to WIDTH pixels wide, so a 28×28 patch holds a
recognisable piece of the scene. Layout (little-endian): b"GPPH", u8 version 1, u8 count, then
per photo: u8 name length, the name (UTF-8), u16 width, u16 height, width·height·3 bytes RGB,
row-major. Requires Pillow.
"""
import io
import struct
import sys
import zipfile

from PIL import Image

WIDTH = 160
PHOTOS = [
    "astronaut.png",
    "coffee.png",
    "chelsea.png",
    "rocket.jpg",
    "hubble_deep_field.jpg",
    "retina.jpg",
]


def main(wheel, out="www/data/photos.bin"):
    archive = zipfile.ZipFile(wheel)
    blob = bytearray(b"GPPH" + bytes([1, len(PHOTOS)]))
    for name in PHOTOS:
        image = Image.open(io.BytesIO(archive.read(f"skimage/data/{name}"))).convert("RGB")
        height = round(image.height * WIDTH / image.width)
        image = image.resize((WIDTH, height), Image.LANCZOS)
        stem = name.rsplit(".", 1)[0].encode()
        blob += bytes([len(stem)]) + stem + struct.pack("<HH", WIDTH, height) + image.tobytes()
        print(f"{name}: {WIDTH}×{height}")
    open(out, "wb").write(blob)
    print(f"wrote {out}: {len(blob)} bytes")


if __name__ == "__main__":
    main(*sys.argv[1:])
