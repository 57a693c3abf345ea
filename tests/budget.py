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


# Tests of 4 s or more in the default run (at a load of 5-6, 2026-12-06; 1.5-9 s on a quiet machine), and of 2 s or
# more at a load of about 6 (2026-12-07: 89 tests, 30% of the run's test time; about 1 s and more idle), run with the
# slow tests (`pytest -m slow`, which CI runs after the default run): the default run had grown to 5:43 on 2 cores,
# then 5:54, over its 5 minutes. Browser pages, notebooks, the benchmarks' and examples' scripts, whole-model finite
# differences, compiled training steps and the longest properties; each area keeps quicker tests in the default run. By
# file, then pytest's name of the test (its parameters too); conftest refuses a name that is no test of its file (a
# renamed test would otherwise slip back into the default run unseen).
SLOW = {
    "test_benchmarks.py": (
        "test_compiled_prints_its_table",
        "test_scalar_prints_its_tables",
    ),
    "test_compile_collected_garbage.py": (
        "test_a_collection_as_the_recording_marks_where_collections_start_leaves_the_step_seen",
    ),
    "test_compile_dropout.py": ("test_a_compiled_dropout_mlp_step_gives_eagers_numbers",),
    "test_compile_every_op.py": ("test_every_op_of_the_table_replays_bit_for_bit_or_names_itself[float64]",),
    "test_compile_frozen_generators.py": ("test_after_gc_unfreeze_the_generators_it_set_free_are_found",),
    "test_compile_fuzzed_argument_forms.py": (
        "test_a_fuzzed_setup_taking_its_batch_in_a_container_replays_with_eagers_numbers[dict]",
        "test_a_fuzzed_setup_taking_its_batch_in_a_container_replays_with_eagers_numbers[pair]",
        "test_a_fuzzed_setup_taking_its_batch_in_a_container_replays_with_eagers_numbers[tuple_of_list]",
    ),
    "test_compile_fuzzed_setups.py": (
        "test_a_fuzzed_setup_replays_with_eagers_numbers[21]",
        "test_a_fuzzed_setup_slicing_its_inputs_gives_eagers_numbers[2071]",
        "test_an_optimizer_the_draws_predate_replays_in_a_fuzzed_setup[21-ASGD]",
        "test_an_optimizer_the_draws_predate_replays_in_a_fuzzed_setup[21-Adafactor]",
    ),
    "test_compile_large_tables.py": (
        "test_a_large_tables_item_changed_between_calls_records_again[an array of 20,000 numbers]",
    ),
    "test_compile_replay_stopped_draws.py": (
        "test_a_generator_without_a_state_anywhere_in_the_process_is_passed_over",
        "test_a_stopped_replay_leaves_the_run_an_uncompiled_runs[python-draw]",
        "test_a_stopped_replay_leaves_the_run_an_uncompiled_runs[reached and not-draw]",
    ),
    "test_compile_side_effects.py": ("test_manual_seed_inside_the_step_makes_it_run_eagerly",),
    "test_compile_structure.py": ("test_a_step_that_makes_a_layer_on_every_call_runs_eagerly_saying_so",),
    "test_compile_thread_generators.py": ("test_another_threads_draws_after_a_replays_draws_are_not_undone",),
    "test_compile_traced_spans.py": (
        "test_a_size_the_users_replayed_code_reads_records_again_when_it_changes[a check]",
        "test_a_size_the_users_replayed_code_reads_records_again_when_it_changes[a draw]",
        "test_a_size_the_users_replayed_code_reads_records_again_when_it_changes[an @autograd.replayed method]",
        "test_a_size_the_users_replayed_code_reads_records_again_when_it_changes[an optimizer's update]",
        "test_the_trace_hook_is_set_aside_in_replayed_code_but_a_tracer_set_before_goes_on_everywhere",
    ),
    "test_compile_user_ops_on_constants.py": ("test_gaussian_nll_loss_with_a_var_array_given_to_the_step_replays",),
    "test_compile_validate.py": (
        "test_a_replay_refuses_bad_targets_as_eager_does_and_changes_nothing[soft cross_entropy]",
        "test_a_users_check_runs_on_each_replays_input",
        "test_kl_div_replays_each_calls_target_entropy_and_loss_weights_are_read_live",
    ),
    "test_compile_validate_order.py": (
        "test_a_check_given_a_tensor_is_given_one_on_a_replay",
        "test_a_check_that_raises_on_a_replay_leaves_the_draws_as_eager[an input checked in the loss, after the draw]",
        "test_a_check_that_raises_on_a_replay_leaves_the_draws_as_eager[checked before the draw]",
        "test_a_check_that_reads_another_tensor_reads_it_in_python",
    ),
    "test_compile_weight_forms.py": (
        "test_a_held_weight_tensor_of_another_dtype_replays_and_sees_a_change[cross_entropy of probabilities]",
        "test_a_list_changed_in_place_is_recorded_again_never_replayed_stale[cross_entropy of probabilities]",
        "test_a_weight_tensor_given_to_the_step_is_fed_to_the_op[multi_margin_loss-float64]",
        "test_weight_arrays_of_another_dtype_given_to_the_step_replay_each_calls_own[binary_cross_entropy]",
        "test_weight_arrays_of_another_dtype_given_to_the_step_replay_each_calls_own[cross_entropy of probabilities]",
        "test_weight_arrays_of_another_dtype_given_to_the_step_replay_each_calls_own[nll_loss]",
        "test_weight_arrays_of_another_dtype_given_to_the_step_replay_each_calls_own[with_logits pos_weight]",
        "test_weight_arrays_of_another_dtype_given_to_the_step_replay_each_calls_own[with_logits weight]",
    ),
    "test_conv.py": (
        "test_conv1d_first_and_second_derivatives[kw1]",
        "test_conv1d_first_and_second_derivatives[kw2]",
        "test_conv2d_with_bias_first_and_second_derivatives[pairs, dilation]",
        "test_conv2d_with_bias_first_and_second_derivatives[plain]",
        "test_conv2d_with_bias_first_and_second_derivatives[stride, padding, groups]",
        "test_pooling_first_and_second_derivatives[avg 2x2]",
        "test_pooling_first_and_second_derivatives[avg overlapping, padded]",
    ),
    "test_conv_hostile.py": ("test_ordinary_and_small_geometry_is_not_refused",),
    "test_ctc_loss.py": (
        "test_a_reachable_alignment_is_scored_however_unlikely[-1e+34]",
        "test_a_reachable_alignment_is_scored_however_unlikely[-1e+35]",
        "test_a_reachable_alignment_is_scored_however_unlikely[-2e+34]",
        "test_an_infeasible_target_and_huge_log_probs_warn_nothing",
        "test_loss_and_gradient_are_torchs[False-sum-26]",
        "test_the_memory_check_counts_what_the_recursion_holds",
    ),
    "test_examples.py": ("test_spirals_above_95_percent",),
    "test_fuzz_readers.py": ("test_load_raises_only_a_value_error_naming_the_file",),
    "test_gradcheck_blocks.py": (
        "test_right_rules_pass_on_random_models[1]",
        "test_right_rules_pass_on_random_models[4]",
        "test_right_rules_pass_on_random_models[5]",
    ),
    "test_gradcheck_layouts.py": ("test_drawn_layouts_find_a_rule_wrong_only_there_and_shrink_to_a_small_case",),
    "test_gradcheck_outputs.py": (
        "test_right_rules_of_many_outputs_pass[0]",
        "test_right_rules_of_many_outputs_pass[1]",
    ),
    "test_gradcheck_property.py": (
        "test_the_readme_recipe_passes_right_rules_and_fails_wrong_ones[squared_relu]",
        "test_the_readme_recipe_passes_right_rules_and_fails_wrong_ones[x_abs_x]",
    ),
    "test_notebooks.py": (
        "test_mnist_runs_on_the_stand_in_without_the_files",
        "test_runs_top_to_bottom[02-own-framework]",
    ),
    "test_optim_lbfgs.py": ("test_an_optimizer_class_made_later_adds_its_settings",),
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
    "test_torch_reference_alpha_dropout.py": (
        "test_a_compiled_step_with_alpha_dropout_gives_eagers_numbers[AlphaDropout]",
        "test_a_compiled_step_with_alpha_dropout_gives_eagers_numbers[FeatureAlphaDropout]",
    ),
    "test_torch_reference_channel_dropout.py": (
        "test_a_compiled_step_with_channel_dropout_gives_eagers_numbers[1d]",
        "test_a_compiled_step_with_channel_dropout_gives_eagers_numbers[3d]",
    ),
    "test_torch_reference_gumbel_softmax.py": ("test_a_compiled_step_draws_new_noise_and_gives_eagers_numbers",),
    "test_torch_reference_interpolate_antialias.py": (
        "test_bilinear_antialias_weights_are_torchs_bit_for_bit[4000-1000-float32]",
        "test_bilinear_antialias_weights_are_torchs_bit_for_bit[4000-1000-float64]",
    ),
    "test_torch_reference_lbfgs.py": (
        "test_float32_is_as_close_to_the_float64_run_as_torchs_float32[None]",
        "test_float32_is_as_close_to_the_float64_run_as_torchs_float32[strong_wolfe]",
    ),
    "test_torch_reference_multilabel_margin.py": ("test_a_compiled_step_replays_on_each_call_s_targets",),
    "test_torch_reference_pad_edges.py": (
        "test_pad_takes_and_refuses_what_pytorch_does_with_its_values_and_gradients[2-circular]",
        "test_pad_takes_and_refuses_what_pytorch_does_with_its_values_and_gradients[3-every-11th-circular]",
        "test_pad_takes_and_refuses_what_pytorch_does_with_its_values_and_gradients[3-every-11th-reflect]",
        "test_pad_takes_and_refuses_what_pytorch_does_with_its_values_and_gradients[3-every-11th-replicate]",
    ),
    "test_torch_reference_rrelu.py": ("test_a_compiled_training_step_draws_anew_on_each_replay_as_eagerly",),
    "test_torch_spellings_nn.py": ("test_a_compiled_step_draws_a_new_dropout_mask_on_each_replay_as_eagerly",),
    "test_transformer.py": (
        "test_a_compiled_sequence_to_sequence_step_replays",
        "test_a_compiled_training_step_replays",
    ),
    "test_transforms_vmap_edges.py": (
        "test_a_compiled_step_s_replayed_draw_is_a_draw_too",
        "test_the_notes_of_each_index_run_are_freed_with_it",
    ),
    "test_trust_fuzz.py": ("test_value_and_0d_tensor_engines_agree_to_the_second_derivative",),
    "test_user_op_nested_writes.py": (
        "test_a_compiled_steps_input_held_in_a_list_is_read_by_the_op_not_by_the_step",
        "test_a_forward_returning_an_array_held_in_a_keyword_argument_gives_an_output_of_its_own[dict]",
        "test_a_forward_returning_an_array_held_in_a_keyword_argument_gives_an_output_of_its_own[list in a dict]",
        "test_a_forward_returning_an_array_held_in_a_keyword_argument_gives_an_output_of_its_own[list]",
        "test_a_forward_returning_an_array_held_in_a_keyword_argument_gives_an_output_of_its_own[tuple]",
    ),
    "test_viz.py": ("test_command_line_and_example",),
    "test_viz_before_after.py": ("test_sgds_line_reads_apart_and_works_out_on_paper",),
    "test_viz_browser.py": (
        "test_a_2_16_16_1_mlp_page_is_small_and_plays",
        "test_step_zero_is_the_forward_pass_then_buttons_keys_and_slider_step_backward",
        "test_the_training_slider_shows_each_training_steps_numbers_and_the_loss_line",
        "test_zoom_pan_and_fit_change_the_view",
    ),
    "test_viz_browser_follow.py": (
        "test_follow_comes_back_to_a_readable_size_after_a_step_that_zoomed_out",
        "test_follow_keeps_each_steps_value_and_op_in_view_when_its_edges_reach_across_the_drawing",
        "test_follow_keeps_the_value_in_view_zoomed_in_and_in_a_narrow_window",
    ),
    "test_viz_browser_labels.py": ("test_follow_brings_each_edge_label_that_fits",),
    "test_viz_browser_reached.py": (
        "test_follow_leaves_out_only_boxes_far_across_a_large_graph",
        "test_follow_shows_the_boxes_each_step_sends_to",
    ),
    "test_viz_browser_start.py": ("test_a_drawing_read_top_to_bottom_starts_with_the_root_at_the_bottom_centred",),
    "test_viz_check.py": ("test_micrograds_lecture_graph_draws_within_the_default_limit",),
    "test_viz_explain.py": ("test_the_paths_products_sum_to_backwards_gradient_on_random_graphs",),
    "test_viz_expr.py": (
        "test_command_line_draws_writes_the_page_and_explains",
        "test_command_line_errors_name_the_problem",
    ),
    "test_viz_training.py": (
        "test_a_training_and_its_player_echo_in_a_line",
        "test_the_inline_player_plays_a_training",
        "test_the_numbers_at_step_t_are_those_of_t_steps_of_training_by_hand[<lambda>0]",
        "test_the_numbers_at_step_t_are_those_of_t_steps_of_training_by_hand[<lambda>1]",
        "test_the_page_draws_the_graph_once_and_grows_by_the_numbers_of_each_step",
        "test_the_same_model_gives_the_same_page",
        "test_the_users_model_and_optimizer_do_not_change",
    ),
    "test_viz_trust_sums.py": ("test_rounding_beyond_two_to_the_52_is_not_judged",),
    "test_zeta_negative_q.py": ("test_random_negative_q_within_8_ulps",),
}
