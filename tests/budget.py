"""How many examples a property draws, and which tests are too slow for the default run, in one place. The default run
(a developer's loop: DEVELOPERS.md keeps it under 5 minutes) draws 50 a property, CI (CI=true) 300: conftest loads
the profile. Properties run once per op of the table draw fewer in the default run (`per_op`), and fewer still for
the ops whose forwards are slow series (SERIES), there and under CI; a few expensive properties draw fewer in the
default run only (`examples`). The tests in SLOW run in CI's slow run only (conftest marks them)."""

import os
from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from autograd.op_table import ELEMENTWISE

CI = bool(os.environ.get("CI"))

settings.register_profile("default", deadline=None, max_examples=50)
settings.register_profile("ci", deadline=None, max_examples=300, print_blob=True)

# The ops whose forwards sum a series or a continued fraction in Python-level steps: a second derivative's
# gradcheck of one of them takes 3-8 ms an evaluation against 0.5 for exp (modified_bessel_k1's took 2.5 s
# of the default run at 25 examples). Each still draws PER_OP's SERIES examples for every property of its
# own, in both runs; tests/test_elementwise_bessel_*.py and test_*_gamma*.py compare their values densely.
SERIES = frozenset(
    {
        *("i0", "i0e", "i1", "i1e", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1"),
        *("modified_bessel_k0", "modified_bessel_k1", "scaled_modified_bessel_k0", "scaled_modified_bessel_k1"),
        *("lgamma", "digamma", "polygamma", "gammainc", "gammaincc", "zeta", "ndtri", "log_ndtr"),
    }
)
if not SERIES <= {d.name for d in ELEMENTWISE}:  # a renamed op would silently draw the full count
    raise ValueError(f"not ops of the table: {sorted(SERIES - {d.name for d in ELEMENTWISE})}")

# examples of one property of one op: (default run, CI), the ops of SERIES apart
PER_OP = {"ordinary": (15, 300), "series": (8, 50)}


def examples(default: int, ci: int | None = None) -> settings:
    """Settings drawing `default` examples in the default run (fewer where the loaded profile draws fewer, as
    docs/mutation-testing.md's does) and `ci` under CI=true (None: the ci profile's)."""
    if CI:
        return settings(max_examples=ci or settings.get_profile("ci").max_examples)
    return settings(max_examples=min(default, settings.default.max_examples))


def per_op(test: Callable[..., Any]) -> Callable[[str], None]:
    """`test(name, data)`, a property of op `name` drawing with `data` (st.data()), as a test of `name`
    drawing PER_OP's examples for that op (hypothesis's settings are one per function, not per parameter)."""

    def run(name: str) -> None:
        default, ci = PER_OP["series" if name.split("(")[0] in SERIES else "ordinary"]

        def prop(data: Any) -> None:
            test(name, data)

        # its own key in the example database, as hypothesis's pytest plugin gives a parametrized @given
        prop._hypothesis_internal_add_digest = f"{test.__module__}.{test.__qualname__}[{name}]".encode()
        examples(default, ci)(given(data=st.data())(prop))()

    run.__name__, run.__qualname__, run.__doc__ = test.__name__, test.__qualname__, test.__doc__
    run.__module__ = test.__module__
    return run


# Tests of 4 s or more in the default run (at a load of 5-6, 2026-12-06; 1.5-9 s on a quiet machine), run with the
# slow tests (`pytest -m slow`, which CI runs after the default run): the default run had grown to 5:43 on 2 cores,
# over its 5 minutes. Browser pages, notebooks, the benchmarks' and examples' scripts, whole-model finite differences
# and the longest properties; each area keeps quicker tests in the default run. By file, then pytest's name of the
# test (its parameters too); conftest refuses a name that is no test of its file (a renamed test would otherwise slip
# back into the default run unseen).
SLOW = {
    "test_benchmarks.py": (
        "test_compiled_prints_its_table",
        "test_scalar_prints_its_tables",
    ),
    "test_compile_collected_garbage.py": (
        "test_a_collection_as_the_recording_marks_where_collections_start_leaves_the_step_seen",
    ),
    "test_compile_frozen_generators.py": ("test_after_gc_unfreeze_the_generators_it_set_free_are_found",),
    "test_compile_structure.py": ("test_a_step_that_makes_a_layer_on_every_call_runs_eagerly_saying_so",),
    "test_compile_thread_generators.py": ("test_another_threads_draws_after_a_replays_draws_are_not_undone",),
    "test_compile_traced_spans.py": (
        "test_a_size_the_users_replayed_code_reads_records_again_when_it_changes[a draw]",
    ),
    "test_examples.py": ("test_spirals_above_95_percent",),
    "test_fuzz_readers.py": ("test_load_raises_only_a_value_error_naming_the_file",),
    "test_gradcheck_blocks.py": (
        "test_right_rules_pass_on_random_models[1]",
        "test_right_rules_pass_on_random_models[4]",
        "test_right_rules_pass_on_random_models[5]",
    ),
    "test_gradcheck_layouts.py": ("test_drawn_layouts_find_a_rule_wrong_only_there_and_shrink_to_a_small_case",),
    "test_gradcheck_outputs.py": ("test_right_rules_of_many_outputs_pass[0]",),
    "test_gradcheck_property.py": (
        "test_the_readme_recipe_passes_right_rules_and_fails_wrong_ones[squared_relu]",
        "test_the_readme_recipe_passes_right_rules_and_fails_wrong_ones[x_abs_x]",
    ),
    "test_notebooks.py": ("test_mnist_runs_on_the_stand_in_without_the_files",),
    "test_order_statistics.py": ("test_quantile_derivatives_agree_with_finite_differences",),
    "test_recurrent_attention_training.py": (
        "test_a_compiled_step_with_masks_that_change_replays_with_eagers_numbers",
        "test_compiled_steps_replay_with_eagers_numbers[GRU]",
        "test_compiled_steps_replay_with_eagers_numbers[LSTM]",
        "test_compiled_steps_replay_with_eagers_numbers[RNN]",
        "test_gradients_agree_with_finite_differences_in_float64[GRU]",
        "test_gradients_agree_with_finite_differences_in_float64[LSTM]",
    ),
    "test_reductions_spellings.py": ("test_random_graphs_through_reductions_second_derivatives",),
    "test_scans.py": ("test_running_extremes_derivatives_agree_with_finite_differences[cummax]",),
    "test_tensor_ops.py": ("test_matmul_matrix_vector_and_batched[sa6-sb6]",),
    "test_testing_strategies_dtypes.py": (
        "test_a_property_test_of_an_op_taking_labels_draws_them_and_catches_a_wrong_rule",
    ),
    "test_torch_diff_reductions_indexing.py": ("test_recurrent_second_derivatives_match_torch[1-float64]",),
    "test_torch_spellings_nn.py": ("test_a_compiled_step_draws_a_new_dropout_mask_on_each_replay_as_eagerly",),
    "test_viz.py": ("test_command_line_and_example",),
    "test_viz_browser.py": (
        "test_a_2_16_16_1_mlp_page_is_small_and_plays",
        "test_the_training_slider_shows_each_training_steps_numbers_and_the_loss_line",
    ),
    "test_viz_browser_follow.py": (
        "test_follow_comes_back_to_a_readable_size_after_a_step_that_zoomed_out",
        "test_follow_keeps_each_steps_value_and_op_in_view_when_its_edges_reach_across_the_drawing",
        "test_follow_keeps_the_value_in_view_zoomed_in_and_in_a_narrow_window",
    ),
    "test_viz_browser_labels.py": ("test_follow_brings_each_edge_label_that_fits",),
    "test_viz_browser_reached.py": ("test_follow_leaves_out_only_boxes_far_across_a_large_graph",),
    "test_viz_expr.py": ("test_command_line_errors_name_the_problem",),
    "test_viz_training.py": (
        "test_the_inline_player_plays_a_training",
        "test_the_numbers_at_step_t_are_those_of_t_steps_of_training_by_hand[<lambda>1]",
        "test_the_page_draws_the_graph_once_and_grows_by_the_numbers_of_each_step",
        "test_the_users_model_and_optimizer_do_not_change",
    ),
}
