import sys

if len(sys.argv) > 1 and sys.argv[1] == "calibrate":
    from .calibration import main as calibrate_main

    sys.exit(calibrate_main(sys.argv[2:]))
if len(sys.argv) > 1 and sys.argv[1] == "compare":
    from .compare import main as compare_main

    sys.exit(compare_main(sys.argv[2:]))

if len(sys.argv) > 1 and sys.argv[1] == "estimate":
    from .estimate import main as estimate_main

    sys.exit(estimate_main(sys.argv[2:]))

if len(sys.argv) > 1 and sys.argv[1] == "explore":
    from .explore import main as explore_main

    sys.exit(explore_main(sys.argv[2:]))

if len(sys.argv) > 1 and sys.argv[1] == "dispersion":
    from .dispersion import main as dispersion_main

    sys.exit(dispersion_main(sys.argv[2:]))

if len(sys.argv) > 1 and sys.argv[1] == "predict":
    from .predict import main as predict_main

    sys.exit(predict_main(sys.argv[2:]))

from .report import main

sys.exit(main())
