"""Points in polygons, fast: a grid over each zone answers most points by arithmetic alone.

Each zone gets a raster of cells classed *outside*, *inside* or *boundary* (one exact
Shapely test per cell, once). A point is looked up by its cell; only points in boundary cells
get the exact prepared ``intersects_xy`` test. The answer is exactly Shapely's (boundary
points count as inside); the grid only decides which points need asking.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

OUTSIDE, BOUNDARY, INSIDE = 0, 1, 2
MAX_CELLS_PER_SIDE = 256


class ZoneLocator:
    def __init__(self, geom: BaseGeometry, max_cells: int = MAX_CELLS_PER_SIDE):
        self.geom = geom
        shapely.prepare(geom)
        if geom.is_empty:  # a zone shrunk by more than its depth: nothing is inside
            geom = shapely.box(0, 0, 1e-9, 1e-9)
            self.empty = True
        else:
            self.empty = False
        minx, miny, maxx, maxy = geom.bounds
        self.cell = max((maxx - minx), (maxy - miny)) / max_cells or 1e-9
        self.x0, self.y0 = minx, miny
        self.nx = max(int(math.ceil((maxx - minx) / self.cell)), 1)
        self.ny = max(int(math.ceil((maxy - miny) / self.cell)), 1)
        xs = minx + np.arange(self.nx) * self.cell
        ys = miny + np.arange(self.ny) * self.cell
        gx, gy = np.meshgrid(xs, ys)
        boxes = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + self.cell, gy.ravel() + self.cell)
        inside = shapely.contains_properly(geom, boxes)
        touches = shapely.intersects(geom, boxes)
        grid = np.where(inside, INSIDE, np.where(touches, BOUNDARY, OUTSIDE)).astype(np.uint8)
        self.grid = grid.reshape(self.ny, self.nx)

    @classmethod
    def restore(cls, geom: BaseGeometry, grid: np.ndarray, x0: float, y0: float, cell: float,
                empty: bool) -> ZoneLocator:
        """A locator as built before (its grid kept on disk)."""
        locator = cls.__new__(cls)
        shapely.prepare(geom)
        locator.geom, locator.grid, locator.empty = geom, grid, empty
        locator.x0, locator.y0, locator.cell = x0, y0, cell
        locator.ny, locator.nx = grid.shape
        return locator

    def contains(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Which points (x, y arrays, same CRS as the zone) lie in the zone, boundary included."""
        result = np.zeros(np.shape(x), bool)
        if self.empty:
            return result
        # Only points near the grid are worth its arithmetic (a cell's margin: the test below decides).
        near = np.flatnonzero((x >= self.x0 - self.cell) & (x <= self.x0 + (self.nx + 1) * self.cell)
                              & (y >= self.y0 - self.cell) & (y <= self.y0 + (self.ny + 1) * self.cell))
        px, py = x[near], y[near]
        ix = np.floor((px - self.x0) / self.cell).astype(np.int64)
        iy = np.floor((py - self.y0) / self.cell).astype(np.int64)
        valid = (ix >= 0) & (ix < self.nx) & (iy >= 0) & (iy < self.ny)
        code = np.where(valid, self.grid.ravel()[np.where(valid, iy * self.nx + ix, 0)], OUTSIDE)
        result[near[code == INSIDE]] = True
        edge = code == BOUNDARY
        if edge.any():
            result[near[edge]] = shapely.intersects_xy(self.geom, px[edge], py[edge])
        return result
