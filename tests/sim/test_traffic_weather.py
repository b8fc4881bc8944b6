"""The traffic simulator's weathers as a camera sees them: fog that thickens with depth in rain,
wet roads that mirror the scene, car shadows that grow long at sunset, lit car lamps; and
labels that no weather effect changes."""

from __future__ import annotations

import numpy as np
import pytest

from synthlearn import seeding
from synthlearn.sim import get_simulator
from synthlearn.sim.traffic import WEATHERS
from synthlearn.sim.traffic import render as render_module
from synthlearn.sim.traffic.render import render
from synthlearn.sim.traffic.sample import sample_scenes

PARAMS = {"height": 64, "width": 96, "cars_mean": 12.0, "buildings_mean": 12.0, "road_length": 70.0}
LABELS = ("segmentation", "depth", "counts", "instance")


def scenes_at(weather: str, n: int = 12, seed: int = 3, **params):
    """``n`` scenes all at ``weather``; the same seed gives the same streets, cars and sun azimuth in every weather."""
    sim = get_simulator("traffic")
    full = sim.param_space().validate({**PARAMS, **params, "weather": {weather: 1.0}})
    return sample_scenes(full, n, seeding.generator(seed))


def luminance(rgb: np.ndarray) -> np.ndarray:
    return rgb.astype(np.float64) @ np.array([0.299, 0.587, 0.114])


@pytest.fixture(scope="module")
def rendered():
    return {w: render(scenes_at(w), return_instance=True) for w in WEATHERS}


def test_weather_changes_pixels_never_labels(rendered):
    """Every effect is appearance: the same scene has the same labels, depth and counts in every weather."""
    base = rendered[WEATHERS[0]]
    for w in WEATHERS[1:]:
        for key in LABELS:
            assert rendered[w][key].tobytes() == base[key].tobytes(), (w, key)
        assert (rendered[w]["rgb"] != base["rgb"]).mean() > 0.5, w


def test_rain_fog_thickens_with_depth(rendered):
    """In rain, far surfaces are nearer the fog colour, and less contrasted, than near ones; much more so than at noon."""
    def profile(weather):
        out = rendered[weather]
        rgb, depth, seg = out["rgb"].astype(np.float64), out["depth"], out["segmentation"]
        horizon = PARAMS["height"] // 2 - 1  # the last sky row: what the fog fades into
        fog = rgb[:, horizon][seg[:, horizon] == 0].mean(axis=0)
        solid = (seg == 3) | (seg >= 10)  # buildings and cars
        near, far = solid & (depth < 20), solid & (depth > 60)
        distance = [np.abs(rgb[m] - fog).sum(axis=1).mean() for m in (near, far)]
        contrast = [luminance(out["rgb"][m]).std() for m in (near, far)]
        assert near.sum() > 200 and far.sum() > 200
        return distance[1] / distance[0], contrast[1] / contrast[0]

    for rain in ("rain_noon", "rain_sunset"):
        fog_ratio, contrast_ratio = profile(rain)
        clear_fog, clear_contrast = profile("clear_noon")
        assert fog_ratio < 0.6 and fog_ratio < 0.75 * clear_fog, rain
        assert contrast_ratio < 0.75 * clear_contrast, rain


def test_wet_road_mirrors_what_stands_on_it(monkeypatch):
    """Road pixels just below a car's base take the colour of the car's bottom row, mirrored; nothing else changes."""
    scenes = scenes_at("rain_noon")
    wet = render(scenes)
    monkeypatch.setattr(render_module, "_WET_REFLECT_NEAR", 0.0)
    monkeypatch.setattr(render_module, "_WET_REFLECT_GRAZING", 0.0)
    dry = render(scenes)
    seg = wet["segmentation"]
    changed = (wet["rgb"] != dry["rgb"]).any(axis=-1)
    assert changed.mean() > 0.1
    assert np.isin(seg[changed], [1, 5]).all()  # road and lane marking only
    # road pixels whose pixel above is a car: the mirror source is that car pixel
    below_car = np.zeros_like(changed)
    below_car[:, 1:] = (seg[:, :-1] >= 10) & np.isin(seg[:, 1:], [1, 5])
    car_above = np.roll(wet["rgb"], 1, axis=1)[below_car].astype(float)
    assert below_car.sum() > 30
    error_wet = np.abs(wet["rgb"][below_car] - car_above).mean()
    error_dry = np.abs(dry["rgb"][below_car] - car_above).mean()
    assert error_wet < 0.8 * error_dry


def shadow_pixels(monkeypatch, scenes) -> np.ndarray:
    """(n, H, W) bool: pixels darkened by cast shadows (rendered with and without them)."""
    lit = render(scenes)
    with monkeypatch.context() as m:
        m.setattr(render_module, "_SHADOWS", np.zeros(len(WEATHERS), bool))
        unshadowed = render(scenes)
    changed = (lit["rgb"] != unshadowed["rgb"]).any(axis=-1)
    assert (lit["rgb"][changed] <= unshadowed["rgb"][changed]).all()  # shadows only darken
    assert np.isin(lit["segmentation"][changed], [1, 2, 4, 5]).all()  # ... the ground
    return changed


def test_sunset_shadows_are_long_and_dark(monkeypatch):
    noon = shadow_pixels(monkeypatch, scenes_at("clear_noon"))
    sunset = shadow_pixels(monkeypatch, scenes_at("clear_sunset"))
    assert noon.sum() > 50
    assert sunset.sum() > 2 * noon.sum()  # same cars and sun azimuth, lower sun
    for rain in ("rain_noon", "rain_sunset"):  # too little direct light to cast any
        assert not shadow_pixels(monkeypatch, scenes_at(rain)).any()


def test_sunset_is_warmer(rendered):
    def warmth(weather):
        rgb = rendered[weather]["rgb"].astype(float)
        return (rgb[..., 0] - rgb[..., 2]).mean()

    assert warmth("clear_sunset") > warmth("clear_noon") + 20
    assert warmth("rain_sunset") > warmth("rain_noon") + 10


def test_lamps_light_up_in_rain_and_at_sunset(monkeypatch, rendered):
    """Lit lamps are brighter than unlit ones, on car pixels (and their reflections in the wet road):
    white headlights facing the camera on oncoming cars, red tail lights on cars driving away."""
    scenes = scenes_at("rain_sunset", n=24)
    lit = render(scenes, return_instance=True)
    monkeypatch.setattr(render_module, "_LAMPS_LIT", np.zeros(len(WEATHERS), bool))
    unlit = render(scenes)
    differ = (lit["rgb"] != unlit["rgb"]).any(axis=-1)
    assert np.isin(lit["segmentation"][differ & (lit["segmentation"] < 10)], [1, 5]).all()  # reflections
    changed = differ & (lit["segmentation"] >= 10)
    assert changed.sum() > 20
    assert luminance(lit["rgb"][changed]).mean() > luminance(unlit["rgb"][changed]).mean() + 30
    gain = lit["rgb"][changed].astype(int) - unlit["rgb"][changed]  # what the lamp adds (fog scales it)
    red = gain[:, 0] > 2 * gain[:, 1]
    assert red.any() and (~red).any()
    # main-road cars (not on the cross road): those right of the centre line drive away (tail lights)
    n, slot = np.nonzero(changed)[0], lit["instance"][changed]
    centre = (scenes.obj_min + scenes.obj_max) / 2
    car_x = np.full(scenes.car_type.shape, np.nan)
    car_z = np.full(scenes.car_type.shape, np.nan)
    for i, j in zip(*np.nonzero(scenes.obj_valid & (scenes.obj_car >= 0))):
        car_x[i, scenes.obj_car[i, j]], car_z[i, scenes.obj_car[i, j]] = centre[i, j]
    main = (car_z[n, slot] < scenes.road_length[n]) | (car_z[n, slot] > scenes.road_length[n] + 8)
    away = car_x[n, slot] > 0
    assert (main & away).any() and (main & ~away).any()
    assert red[main & away].all() and not red[main & ~away].any()
    # unlit lamps at clear noon: lens colours only, no glow
    noon = rendered["clear_noon"]["rgb"][rendered["clear_noon"]["segmentation"] >= 10]
    assert luminance(noon).max() < 250


def test_effects_are_deterministic_and_chunk_independent():
    scenes = scenes_at("clear_sunset", n=5, seed=9)
    mixed = get_simulator("traffic").param_space().validate(PARAMS)  # all four weathers
    mixed_scenes = sample_scenes(mixed, 10, seeding.generator(4))
    for sc in (scenes, mixed_scenes):
        one, many, again = render(sc, chunk=len(sc)), render(sc, chunk=2), render(sc, chunk=3)
        for key in one:
            assert one[key].tobytes() == many[key].tobytes() == again[key].tobytes(), key
    assert len(set(mixed_scenes.weather.tolist())) == len(WEATHERS)
