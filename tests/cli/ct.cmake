# `recon ct` (issue 7): the whole pipeline on a small fan-beam problem, and one clear error
# with no output file for each kind of bad input. Included from tests/cli/CMakeLists.txt.
set(CLI_CT ${CMAKE_CURRENT_BINARY_DIR}/ct)
file(MAKE_DIRECTORY ${CLI_CT})
file(WRITE ${CLI_CT}/par.json [[{"volume": {"shape": [16, 16]},
 "projection": {"type": "parallel2d", "detector_shape": [24], "angles": {"start": 0, "stop": 3.141592653589793, "count": 20}}}]])
file(WRITE ${CLI_CT}/typo.json [[{"volume": {"shape": [16, 16]},
 "projection": {"type": "parallel2d", "detector_shape": [24], "angle": [0, 1]}}]])
file(WRITE ${CLI_CT}/close.json [[{"volume": {"shape": [16, 16]},
 "projection": {"type": "fan2d", "detector_shape": [24], "angles": [0, 1], "source_origin": 8, "origin_detector": 10}}]])

add_test(NAME cli.ct_pipeline COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/ct_pipeline.sh $<TARGET_FILE:recon> ${CLI_CT}/pipeline)
add_test(NAME cli.ct_simulate_parallel COMMAND recon --device cpu ct simulate --geometry ${CLI_CT}/par.json ${CLI_CT}/par_sino.npy)
set_tests_properties(cli.ct_simulate_parallel PROPERTIES FIXTURES_SETUP cli_ct PASS_REGULAR_EXPRESSION "\"shape\":\"\\(20, 24\\)\"")

add_test(NAME cli.ct_missing_geometry
         COMMAND ${EXPECT_ERROR} "cannot open geometry file '.*nowhere.json'" --no-file ${CLI_CT}/e1.npy
                 -- $<TARGET_FILE:recon> ct project --geometry ${CLI_CT}/nowhere.json ${CLI_CT}/par_sino.npy ${CLI_CT}/e1.npy)
add_test(NAME cli.ct_geometry_unknown_key
         COMMAND ${EXPECT_ERROR} "typo.json: projection.angle: unknown key" --no-file ${CLI_CT}/e2.npy
                 -- $<TARGET_FILE:recon> ct fbp --geometry ${CLI_CT}/typo.json ${CLI_CT}/par_sino.npy ${CLI_CT}/e2.npy)
add_test(NAME cli.ct_source_inside_volume
         COMMAND ${EXPECT_ERROR} "source_origin 8.000000 must exceed the volume's distance from the rotation axis"
                 --no-file ${CLI_CT}/e3.npy
                 -- $<TARGET_FILE:recon> ct simulate --geometry ${CLI_CT}/close.json ${CLI_CT}/e3.npy)
add_test(NAME cli.ct_input_shape_mismatch
         COMMAND ${EXPECT_ERROR} "par_sino.npy has shape \\(20, 24\\) but the geometry's volume shape is \\(16, 16\\)"
                 --no-file ${CLI_CT}/e4.npy
                 -- $<TARGET_FILE:recon> ct project --geometry ${CLI_CT}/par.json ${CLI_CT}/par_sino.npy ${CLI_CT}/e4.npy)
add_test(NAME cli.ct_fdk_needs_cone
         COMMAND ${EXPECT_ERROR} "ct fdk: .*par.json is a parallel2d geometry; use 'ct fbp'" --no-file ${CLI_CT}/e5.npy
                 -- $<TARGET_FILE:recon> ct fdk --geometry ${CLI_CT}/par.json ${CLI_CT}/par_sino.npy ${CLI_CT}/e5.npy)
add_test(NAME cli.ct_unknown_filter
         COMMAND ${EXPECT_ERROR} "--filter: gauss not in" --no-file ${CLI_CT}/e6.npy
                 -- $<TARGET_FILE:recon> ct fbp --geometry ${CLI_CT}/par.json ${CLI_CT}/par_sino.npy ${CLI_CT}/e6.npy --filter gauss)
add_test(NAME cli.ct_cgls_nonneg
         COMMAND ${EXPECT_ERROR} "--nonneg is not supported by CGLS" --no-file ${CLI_CT}/e7.npy
                 -- $<TARGET_FILE:recon> ct cgls --geometry ${CLI_CT}/par.json ${CLI_CT}/par_sino.npy ${CLI_CT}/e7.npy --nonneg)
add_test(NAME cli.ct_two_noise_models
         COMMAND ${EXPECT_ERROR} "choose one noise model" --no-file ${CLI_CT}/e8.npy
                 -- $<TARGET_FILE:recon> ct simulate --geometry ${CLI_CT}/par.json ${CLI_CT}/e8.npy --flux 100 --sigma 1)
add_test(NAME cli.ct_recon_pdhg_needs_convex
         COMMAND ${EXPECT_ERROR} "pdhg_composite: term 1 \\(mcp.*is not convex" --no-file ${CLI_CT}/e9.npy
                 -- $<TARGET_FILE:recon> ct recon --geometry ${CLI_CT}/par.json ${CLI_CT}/par_sino.npy ${CLI_CT}/e9.npy
                    --solver pdhg --penalty mcp --param mu=0.1,theta=3)
add_test(NAME cli.ct_recon_unknown_solver
         COMMAND ${EXPECT_ERROR} "--solver: sirt not in \\{admm,pdhg,apgm\\}" --no-file ${CLI_CT}/e10.npy
                 -- $<TARGET_FILE:recon> ct recon --geometry ${CLI_CT}/par.json ${CLI_CT}/par_sino.npy ${CLI_CT}/e10.npy
                    --solver sirt)
add_test(NAME cli.ct_recon_loss_parameter
         COMMAND ${EXPECT_ERROR} "cauchy: unknown parameter 'c'" --no-file ${CLI_CT}/e11.npy
                 -- $<TARGET_FILE:recon> ct recon --geometry ${CLI_CT}/par.json ${CLI_CT}/par_sino.npy ${CLI_CT}/e11.npy
                    --loss cauchy --loss-param c=1)
add_test(NAME cli.ct_recon_apgm_needs_smooth_loss
         COMMAND ${EXPECT_ERROR} "solver apgm needs a smooth loss.*l1\\(.*use --solver admm" --no-file ${CLI_CT}/e20.npy
                 -- $<TARGET_FILE:recon> ct recon --geometry ${CLI_CT}/par.json ${CLI_CT}/par_sino.npy ${CLI_CT}/e20.npy
                    --solver apgm --loss l1)
set_tests_properties(cli.ct_recon_pdhg_needs_convex cli.ct_recon_unknown_solver cli.ct_recon_loss_parameter
                     cli.ct_recon_apgm_needs_smooth_loss PROPERTIES FIXTURES_REQUIRED cli_ct)
add_test(NAME cli.ct_recon_apgm
         COMMAND recon --device cpu ct recon --geometry ${CLI_CT}/par.json ${CLI_CT}/par_sino.npy ${CLI_CT}/apgm.npy
                 --solver apgm --apgm-variant fista --iters 10 --inner-iters 5 --tv aniso --loss huber --loss-param delta=1)
set_tests_properties(cli.ct_recon_apgm PROPERTIES FIXTURES_REQUIRED cli_ct
                     PASS_REGULAR_EXPRESSION "\"iterations\":10,.*\"loss\":\"huber\\(delta=1.*\"solver\":\"apgm\"")
set_tests_properties(cli.ct_input_shape_mismatch cli.ct_fdk_needs_cone cli.ct_unknown_filter cli.ct_cgls_nonneg
                     cli.ct_missing_geometry cli.ct_geometry_unknown_key PROPERTIES FIXTURES_REQUIRED cli_ct)
add_test(NAME cli.ct_unmatched COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/ct_unmatched.sh $<TARGET_FILE:recon> ${CLI_CT}/unmatched)
add_test(NAME cli.ct_sirt_unknown_backprojector
         COMMAND ${EXPECT_ERROR} "--backprojector: ray not in \\{matched,voxel\\}" --no-file ${CLI_CT}/e_backprojector.npy
                 -- $<TARGET_FILE:recon> ct sirt --geometry ${CLI_CT}/par.json ${CLI_CT}/par_sino.npy ${CLI_CT}/e_backprojector.npy
                    --backprojector ray)
set_tests_properties(cli.ct_sirt_unknown_backprojector PROPERTIES FIXTURES_REQUIRED cli_ct)
