"""SYNTHETIC fingerprint samples for the CLI tests (no outside data): each
finger is 40 random minutiae in a 400x400 frame; each impression shifts and
rotates them a little about the centre and drops about a tenth. Written as
xyt in ISO orientation (read with --iso-orientation --width 400 --height 400).

usage: synthetic_xyt.py FOLDER NAME_PATTERN FINGERS IMPRESSIONS SEED
  NAME_PATTERN has two %d: finger number (0-based) and impression (0-based),
  e.g. "f%d_%d.xyt", or "%d_%d.xyt" with --fvc to number from 101 and 1."""
import math
import random
import sys


def write_impressions(folder, pattern, fingers, impressions, seed, fvc=False):
    rng = random.Random(seed)
    for finger in range(fingers):
        base = [(rng.uniform(40, 360), rng.uniform(40, 360), rng.uniform(0, 360)) for _ in range(40)]
        for impression in range(impressions):
            angle = math.radians(rng.uniform(-10, 10))
            dx, dy = rng.uniform(-15, 15), rng.uniform(-15, 15)
            name = pattern % ((101 + finger, 1 + impression) if fvc else (finger, impression))
            with open("%s/%s" % (folder, name), "w") as out:
                for x, y, theta in base:
                    if rng.random() < 0.1:
                        continue
                    cx, cy = x - 200, y - 200
                    nx = math.cos(angle) * cx + math.sin(angle) * cy + 200 + dx
                    ny = -math.sin(angle) * cx + math.cos(angle) * cy + 200 + dy
                    if 0 <= nx < 400 and 0 <= ny < 400:
                        out.write("%d %d %d 60\n" % (round(nx), round(ny), round(theta + math.degrees(angle)) % 360))


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--fvc"]
    folder, pattern, fingers, impressions, seed = arguments
    write_impressions(folder, pattern, int(fingers), int(impressions), int(seed), fvc="--fvc" in sys.argv)
