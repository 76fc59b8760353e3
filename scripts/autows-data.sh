#!/usr/bin/env bash
# Writes a dataset for AutoWS's benchmark as a CSV that autows.load reads
# (features f0..f<d-1>, then label), from what Debian ships; no download.
#
#   scripts/autows-data.sh NAME OUT.csv
#
#   breast_cancer | digits | wine | iris   python3-sklearn's files (sklearn-csv.sh)
#   fashion        Fashion-MNIST (Debian's dataset-fashion-mnist): 5,000 rows
#                  drawn from the 60,000 training images (seed 0), pooled 2x2
#                  to 14x14 = 196 features, the 10 class names
#   classification sklearn's make_classification: 3,000 rows, 20 features
#                  (5 informative, 5 redundant), 4 classes, 2 clusters per
#                  class, 5% labels flipped (seed 11)
# Debian's python3 (python3-numpy, python3-sklearn) makes them; $PYTHON overrides.
#   moons          sklearn's make_moons with noise 0.2 and 8 noise features,
#                  3,000 rows (seed 12)
# The final set (made after every choice on the sets above was fixed):
#   fashion_t10k   5,000 of Fashion-MNIST's 10,000 test images (seed 1),
#                  pooled as fashion is: other images, same classes
#   circles        make_circles (noise 0.15, factor 0.5) + 6 noise features,
#                  3,000 rows (seed 21)
#   quantiles      make_gaussian_quantiles: 6 features, 3 classes by radius,
#                  3,000 rows (seed 22)
#   classes6       make_classification: 3,000 rows, 30 features (8
#                  informative, 4 redundant), 6 classes, 1 cluster each,
#                  class_sep 0.8, 3% labels flipped (seed 23)
#   hastie         make_hastie_10_2: 10 features, 2 classes, 3,000 rows (seed 24)
# final2 (made before the refitted CV was measured, run once after it):
#   diabetes3      sklearn's diabetes data (442 patients, 10 features), the
#                  disease-progression target cut at its tertiles: 3 classes
#   blobs          make_blobs: 5 centres in 10 features, std 3.0, 3,000 rows
#                  (seed 31)
#   classification3 make_classification: 3,000 rows, 40 features (6
#                  informative, 2 redundant), 3 classes, 3 clusters each,
#                  class_sep 1.2, 2% flipped (seed 32)
#   moons_wide     make_moons, noise 0.3, + 20 noise features, 3,000 rows (seed 33)
# final3 (made before the end model's ensembles were tried, run once after):
#   fashion_upper  Fashion-MNIST's five upper-body classes (T-shirt, pullover,
#                  dress, coat, shirt): 4,000 of the training images (seed 3),
#                  pooled as fashion is
#   digits4        sklearn's digits pooled 2x2: 4x4 = 16 coarse pixels
#   bc_noise       breast cancer + 20 Gaussian noise features (seed 43)
#   aniso          make_blobs, 4 centres in 2-D sheared by a fixed linear map,
#                  + 8 noise features, 3,000 rows (seed 44)
#   classes5       make_classification: 3,000 rows, 15 features (6
#                  informative), 5 classes, 2 clusters each, 8% flipped (seed 45)
# final4 (made before the LFs' zero weight was tried, run once after):
#   fashion_feet   Fashion-MNIST's trousers, sandals, sneakers, bags and
#                  boots: 4,000 of the test images (seed 4), pooled as fashion is
#   wine_noise     wine + 10 Gaussian noise features (seed 51)
#   digits_odd     sklearn's digits, the five odd ones (1, 3, 5, 7, 9)
#   iris_noise     iris + 6 Gaussian noise features (seed 53)
#   classes4       make_classification: 3,000 rows, 12 features (4
#                  informative, 4 redundant), 4 classes, 1 cluster each,
#                  class_sep 0.6, 5% flipped (seed 55)
# final5 (made 2026-12-06, before any change that it is to judge; the
# session that makes the next change runs it once with the code before
# and once after):
#   fashion_coats  Fashion-MNIST's pullovers, coats, shirts, sneakers and
#                  boots: 4,000 of the test images (seed 5), pooled as fashion is
#   imbalanced     make_classification: 3,000 rows, 12 features (6
#                  informative, 2 redundant), 4 classes of 55/25/15/5%,
#                  1 cluster each, 2% flipped (seed 61)
#   blobs_var      make_blobs: 4 centres in 8 features, spreads 1.0, 2.5,
#                  0.5 and 1.8, 3,000 rows (seed 62)
#   diabetes2      sklearn's diabetes data, the target cut at its median
#   moons_scaled   make_moons (noise 0.25) + 12 noise features, each of the
#                  14 columns multiplied by 10^k, k from -2 to 3 in turn,
#                  3,000 rows (seed 65)
# final6 (made after final5's one run, before the change it was to judge;
# run once with the code before and once with that change, not kept):
#   fashion_mixed  Fashion-MNIST's T-shirts, trousers, dresses, sandals and
#                  bags: 4,000 of the training images (seed 6), pooled as
#                  fashion is
#   digits_even    sklearn's digits, the five even ones (0, 2, 4, 6, 8)
#   bc_mean        breast cancer, its first 10 columns only (the means)
#   classes3_hard  make_classification: 3,000 rows, 10 features (3
#                  informative, 1 redundant), 3 classes, 2 clusters each,
#                  class_sep 0.7, 10% flipped (seed 71)
#   friedman3      make_friedman1: 3,000 rows, 10 features (5 used, noise
#                  1.0), the target cut at its tertiles (seed 73)
# final7 (made 2026-12-06, after every set above had been run, before the
# change it is to judge; first run with the code before it):
#   fashion_tops   Fashion-MNIST's T-shirts, dresses, shirts, sneakers and
#                  bags: 4,000 of the training images (seed 7), pooled as
#                  fashion is
#   digits_low     sklearn's digits 0 to 5 (six classes)
#   bc_worst       breast cancer, its last 10 columns only (the worst values)
#   classes8       make_classification: 3,000 rows, 25 features (10
#                  informative, 5 redundant), 8 classes, 1 cluster each,
#                  class_sep 1.0, 4% flipped (seed 81)
#   xor            four Gaussian clusters at (+-1.5, +-1.5), sd 0.9, the
#                  class the sign of x*y, + 10 noise features, 3,000 rows (seed 85)
# final8 (made after final7's first run, before the change it is to judge):
#   fashion_shoes  Fashion-MNIST's pullovers, dresses, sandals, sneakers and
#                  bags: 4,000 of the test images (seed 8), pooled as fashion is
#   digits_high    sklearn's digits 4 to 9 (six classes)
#   bc_se          breast cancer, its 10 standard-error columns only
#   classes5_multi make_classification: 3,000 rows, 30 features (5
#                  informative, 10 redundant), 5 classes, 3 clusters each,
#                  class_sep 1.5, 3% flipped (seed 91)
#   linear_cut     make_regression: 3,000 rows, 15 features (8 informative,
#                  noise 20), the target cut at its tertiles (seed 95)
# final9 (made 2026-12-06 after the 48 sets above had all been run, with no
# change under way; its first run is with the code as it stood):
#   fashion_mid    Fashion-MNIST's trousers, pullovers, coats, sandals and
#                  shirts: 4,000 of the test images (seed 9), pooled as fashion is
#   digits_mid     sklearn's digits 2 to 7 (six classes)
#   wine_half      wine, its first 6 columns only (alcohol to total phenols)
#   classes6_multi make_classification: 3,000 rows, 20 features (6
#                  informative, 4 redundant), 6 classes, 2 clusters each,
#                  class_sep 1.2, 5% flipped (seed 101)
#   spirals        two interleaved spiral arms (1.5 turns, radial noise sd
#                  0.35) + 6 noise features, 3,000 rows (seed 105)
# final10 (made 2026-12-06 after the 53 sets above had all been run, before
# the change it is to judge; its first run is with the code as it stood):
#   fashion_edges  Fashion-MNIST's T-shirts, trousers, coats, sneakers and
#                  boots: 4,000 of the training images (seed 10), pooled as
#                  fashion is
#   digits_1479    sklearn's digits 1, 4, 7 and 9 (the ones that look alike)
#   diabetes_sex   sklearn's diabetes data: the sex column is the class, the
#                  other 9 columns and the progression target the features
#   classes4_wide  make_classification: 3,000 rows, 50 features (10
#                  informative, 10 redundant), 4 classes, 2 clusters each,
#                  class_sep 1.0, 5% flipped (seed 111)
#   checker        a 3x3 checkerboard on [0, 3)^2 (2 classes, each cell's
#                  class the parity of its row + column), + 8 noise features,
#                  3,000 rows (seed 115)
# final11 (made 2026-12-06 after all 58 sets above had been run, before the
# change it is to judge; its first run is with the code as it stood):
#   fashion_far    Fashion-MNIST's trousers, dresses, shirts, bags and
#                  boots: 4,000 of the test images (seed 11), pooled as
#                  fashion is
#   digits_358     sklearn's digits 2, 3, 5 and 8 (curves that look alike)
#   bc_rotated     breast cancer, each column standardised, then turned by
#                  a random rotation of all 30 (no column alone is a
#                  feature any more), + 10 noise features (seed 123)
#   classes3_sparse make_classification: 3,000 rows, 80 features (5
#                  informative, 0 redundant), 3 classes, 1 cluster each,
#                  class_sep 1.2, 2% flipped (seed 121)
#   rings3         three concentric noisy rings in the plane (radii 1, 2
#                  and 3, noise 0.25) + 6 noise features, 3,000 rows
#                  (seed 125)
# final12 (made 2026-12-07 after all 63 sets above had been run, before the
# change it is to judge; its first run is with the code as it stood):
#   fashion_blend  Fashion-MNIST's T-shirts, pullovers, sandals, bags and
#                  boots: 4,000 of the training images (seed 12), pooled as
#                  fashion is
#   digits_round   sklearn's digits 0, 6, 8 and 9 (the ones with loops)
#   wine_rest      wine, its last 7 columns only (flavanoids to proline)
#   classes7       make_classification: 3,000 rows, 30 features (8
#                  informative, 6 redundant), 7 classes, 1 cluster each,
#                  class_sep 1.3, 3% flipped (seed 131)
#   roll4          a swiss roll (noise 0.5) cut into 4 classes at the
#                  quartiles of its position along the roll, + 6 noise
#                  features, 3,000 rows (seed 135)
# final13 (made 2026-12-07 after final12's first run, before the change it
# is to judge; its first run is with the code as it stood):
#   fashion_casual Fashion-MNIST's T-shirts, trousers, pullovers, shirts and
#                  sneakers: 4,000 of the test images (seed 13), pooled as
#                  fashion is
#   digits_1267    sklearn's digits 1, 2, 6 and 7
#   bc_log         breast cancer, every column log(1 + x), then 15 of the
#                  30 columns drawn at random (seed 141)
#   binary_multi   make_classification: 3,000 rows, 40 features (4
#                  informative, 4 redundant), 2 classes, 4 clusters each,
#                  class_sep 0.8, 3% flipped (seed 143)
#   sine           two classes split by y = sin(3x) on [-2, 2] x [-1.5, 1.5],
#                  Gaussian noise 0.2 on both, + 8 noise features, 3,000
#                  rows (seed 145)
# final14 (made 2026-12-07 after all 73 sets above had been run with the
# Brier-ranked CV, before the change it is to judge; its first run is with
# the code as it stood):
#   fashion_night  Fashion-MNIST's dresses, coats, sandals, shirts and
#                  boots: 4,000 of the training images (seed 14), pooled as
#                  fashion is
#   digits_3459    sklearn's digits 3, 4, 5 and 9
#   housing3       sklearn's copy of the Boston housing table (506 rows),
#                  the median value cut into tertiles; its B column is
#                  dropped, the other 12 kept
#   classes4_rep   make_classification: 3,000 rows, 30 features (6
#                  informative, 4 redundant, 4 repeated), 4 classes, 2
#                  clusters each, class_sep 1.1, 3% flipped (seed 151)
#   wedges5        five angular sectors of a disc (radius 0.3 to 2),
#                  Gaussian noise 0.15, + 8 noise features, 3,000 rows
#                  (seed 155)
# final15 (made 2026-12-07 after all 78 sets above had been run with the
# weighted mean of every CV candidate, before the change it is to judge; its
# first run is with the code as it stood):
#   fashion_bags   Fashion-MNIST's trousers, pullovers, dresses, sandals and
#                  bags: 4,000 of the test images (seed 15), pooled as
#                  fashion is
#   digits_02357   sklearn's digits 0, 2, 3, 5 and 7
#   housing_age    sklearn's copy of the Boston housing table (506 rows),
#                  the share of old houses (AGE) cut into tertiles and
#                  predicted from the other 12 columns, the value among
#                  them (B dropped)
#   classes5_imb   make_classification: 3,000 rows, 25 features (7
#                  informative, 3 redundant), 5 classes of shares 40, 25,
#                  15, 12 and 8%, 2 clusters each, class_sep 1.0, 3%
#                  flipped (seed 161)
#   waves3         sin(x) + cos(y) on [-3, 3]^2 cut into tertiles, Gaussian
#                  noise 0.1 on both, + 8 noise features, 3,000 rows
#                  (seed 165)
# final16 (made 2026-12-07 after units_graph was written and had been run on
# part of the 83 sets, before any run on these; first run with the code
# before it and with it):
#   fashion_7x7    Fashion-MNIST's T-shirts, trousers, coats, sneakers and
#                  boots: 4,000 of the test images (seed 16), pooled 4x4 to
#                  7x7 = 49 pixels, no PCA
#   digits_13568   sklearn's digits 1, 3, 5, 6 and 8
#   digits_noisy   sklearn's digits, all ten, each pixel plus Gaussian noise
#                  of sd 2 (of 0..16), clipped to 0..16 (seed 173)
#   classes4_scaled make_classification: 3,000 rows, 12 features (5
#                  informative, 2 redundant), 4 classes, each column then
#                  multiplied by 10^u, u uniform on [-2, 3] (seed 171)
#   topics3        word counts: 3,000 documents of 3 topics over 60 words,
#                  each topic a Dirichlet(0.3) word distribution, a document
#                  Poisson(40) words drawn from its topic mixed 70/30 with a
#                  shared background (seed 175)
# final17 (made 2026-12-07 while gold_units was first run on the 88 sets,
# before any run on these and before the change it is to judge was chosen):
#   housing_crime3 sklearn's copy of the Boston housing table: the crime rate
#                  (CRIM) cut into tertiles and predicted from the other 11
#                  columns and the value (B dropped)
#   diabetes_bmi3  sklearn's diabetes data: BMI cut into tertiles, predicted
#                  from the other 9 columns and the progression target
#   digits_shift   sklearn's digits, each image moved by -1, 0 or 1 pixel
#                  across and down, zeros shifted in (seed 177)
#   fashion_7x7b   Fashion-MNIST's pullovers, dresses, sandals, shirts and
#                  bags: 4,000 of the training images (seed 17), pooled 4x4
#                  to 7x7 = 49 pixels, no PCA
#   mixed_tab      make_classification: 3,000 rows, 10 features (4
#                  informative, 2 redundant), 3 classes, 2 clusters each,
#                  3% flipped, then columns as tabular data holds them: 3
#                  counts (Poisson of exp), 2 yes/no flags, 2 ratings 1..5
#                  (quintiles) (seed 179)
# final18 (made 2026-12-07 after final17's runs, before any run on these;
# to judge the next change, e.g. gold_logistic at ten times l2):
#   housing_tax3   sklearn's copy of the Boston housing table: the property
#                  tax rate (TAX) cut into tertiles, predicted from the other
#                  11 columns and the value (B dropped)
#   wine_color3    sklearn's wine data: colour intensity cut into tertiles,
#                  predicted from the other 12 columns (178 rows: run with
#                  --labels 60, as wine and Boston housing are)
#   digits_thick   sklearn's digits, each stroke thickened: a pixel becomes
#                  the largest of itself and its right and lower neighbours
#   fashion_7x7c   Fashion-MNIST's T-shirts, pullovers, coats and shirts:
#                  3,000 of the test images (seed 18), pooled 4x4 to 7x7 =
#                  49 pixels, no PCA
#   classes4_ord   4 ordered classes: a latent score from 6 of 14 columns
#                  (the rest noise, 3 of them heavy-tailed), cut at its
#                  quartiles after logistic noise, 3,000 rows (seed 181)
# final19 (made 2026-12-07 after final18's runs and the three rules judged
# on it, with no change under way, before any run on these):
#   housing_nox3   sklearn's copy of the Boston housing table: the nitric
#                  oxides concentration (NOX) cut into tertiles, predicted
#                  from the other 11 columns and the value (B dropped)
#   diabetes_s5_3  sklearn's diabetes data: s5 (the log of the serum
#                  triglycerides) cut into tertiles, predicted from the
#                  other 9 columns and the disease progression
#   digits_rot     sklearn's digits, each turned by an angle drawn from
#                  -20 to 20 degrees (bilinear, seed 183)
#   fashion_7x7d   Fashion-MNIST's trousers, dresses, sneakers, bags and
#                  boots: 3,000 of the training images (seed 19), pooled
#                  4x4 to 7x7 = 49 pixels, no PCA
#   bc_missing     sklearn's breast cancer data with 15% of its cells
#                  missing at random and filled with their column's median,
#                  as a clinical table's imputation leaves them (seed 185)
# final20 (made 2026-12-07 after final19's first run, before any run on
# these and before the change it is to judge was chosen):
#   housing_rm3    sklearn's copy of the Boston housing table: the rooms
#                  per dwelling (RM) cut into tertiles, predicted from the
#                  other 11 columns and the value (B dropped)
#   wine_alcohol3  sklearn's wine data: alcohol cut into tertiles,
#                  predicted from the other 12 columns
#   digits_blur    sklearn's digits, each blurred by a Gaussian of 0.8
#                  pixels
#   fashion_7x7e   Fashion-MNIST's T-shirts, trousers, sandals, shirts and
#                  bags: 3,000 of the test images (seed 20), pooled 4x4 to
#                  7x7 = 49 pixels, no PCA
#   classes3_cat   make_classification: 3,000 rows, 8 features (4
#                  informative), 3 classes (seed 187), then as a table
#                  holds them: one column as a 6-level category in 6
#                  one-hot columns, one as a log-normal amount
# final21 (made 2026-12-07 after final20's first run, before any run on
# these, to judge the next change):
#   housing_lstat3 sklearn's copy of the Boston housing table: the share of
#                  lower-status residents (LSTAT) cut into tertiles,
#                  predicted from the other 11 columns and the value (B
#                  dropped)
#   diabetes_age3  sklearn's diabetes data: age cut into tertiles,
#                  predicted from the other 9 columns and the disease
#                  progression
#   digits_thin    sklearn's digits, each stroke thinned: a pixel becomes
#                  the least of itself and its right and lower neighbours
#   fashion_7x7f   Fashion-MNIST's pullovers, coats, sandals, sneakers and
#                  boots: 3,000 of the training images (seed 21), pooled
#                  4x4 to 7x7 = 49 pixels, no PCA
#   classes4_gaps  make_classification: 3,000 rows, 12 features (5
#                  informative), 4 classes (seed 189), then 20% of the
#                  cells of 4 informative columns filled with their
#                  column's mean, as an imputation leaves them
#                  (in bench/autows-unseen.sh since its first run)
# final22 (made 2026-12-07 after final21's first run, before any run on
# these, to judge temperature-scaled CV weights; first run with the code as
# it stood and with that change):
#   housing_dis3   sklearn's copy of the Boston housing table: the weighted
#                  distance to five employment centres (DIS) cut into
#                  tertiles, predicted from the other 11 columns and the
#                  value (B dropped)
#   wine_flav3     sklearn's wine data: flavanoids cut into tertiles,
#                  predicted from the other 12 columns
#   digits_patch   sklearn's digits, each with a 3x3 block of pixels at a
#                  random place set to 0, as a smudge or a scanner's
#                  dropout leaves them (seed 191)
#   fashion_7x7g   Fashion-MNIST's T-shirts, dresses, coats, bags and
#                  boots: 3,000 of the test images (seed 22), pooled 4x4
#                  to 7x7 = 49 pixels, no PCA
#   classes5_typos make_classification: 3,000 rows, 10 features (5
#                  informative), 5 classes (seed 193), then 1% of the
#                  cells entered wrong: multiplied by 100, as a misplaced
#                  decimal point leaves them
# final23 (made 2026-12-07 after final22's runs, with no AutoWS change under
# way, before any run on these; first run with the code as it stood):
#   housing_ptratio3 sklearn's copy of the Boston housing table: the
#                  pupil-teacher ratio (PTRATIO) cut into tertiles,
#                  predicted from the other 11 columns and the value (B
#                  dropped)
#   diabetes_s1_3  sklearn's diabetes data: s1 (total serum cholesterol)
#                  cut into tertiles, predicted from the other 9 columns
#                  and the disease progression
#   digits_salt    sklearn's digits with 5% of the pixels set to 16 (full
#                  ink), as dust on a scan leaves them (seed 195)
#   fashion_7x7h   Fashion-MNIST's trousers, pullovers, shirts, sneakers and
#                  bags: 3,000 of the training images (seed 23), pooled 4x4
#                  to 7x7 = 49 pixels, no PCA
#   classes6_tails make_classification: 3,000 rows, 12 features (6
#                  informative), 6 classes (seed 197), then Student-t
#                  noise (3 degrees of freedom, scale 0.5) added to every
#                  cell, as a heavy-tailed measurement error
# final24 (made 2026-12-07 after final23's first run, before any run on
# these, to judge the next change; first run with the code as it stood and
# with that change):
#   housing_indus3 sklearn's copy of the Boston housing table: the share of
#                  non-retail business acres (INDUS) cut into tertiles,
#                  predicted from the other 11 columns and the value (B
#                  dropped)
#   wine_phenols3  sklearn's wine data: total phenols cut into tertiles,
#                  predicted from the other 12 columns
#   digits_lower   sklearn's digits cropped to their lower 5 rows (40
#                  pixels), as a scan that missed the top leaves them
#   fashion_7x7i   Fashion-MNIST's T-shirts, trousers, pullovers, sandals
#                  and boots: 3,000 of the test images (seed 24), pooled
#                  4x4 to 7x7 = 49 pixels, no PCA
#   classes4_skew  make_classification: 3,000 rows, 10 features (5
#                  informative), 4 classes (seed 199), then 5 of the
#                  columns exponentiated, as skewed amounts (prices,
#                  durations) come
set -euo pipefail
name=${1:?usage: autows-data.sh NAME OUT.csv}
out=${2:?usage: autows-data.sh NAME OUT.csv}
here=$(cd "$(dirname "$0")" && pwd)
case "$name" in
  breast_cancer|digits|wine|iris) exec bash "$here/sklearn-csv.sh" "$name" "$out";;
  fashion|classification|moons|fashion_t10k|circles|quantiles|classes6|hastie|diabetes3|blobs|classification3|moons_wide|\
  fashion_upper|digits4|bc_noise|aniso|classes5|fashion_feet|wine_noise|digits_odd|iris_noise|classes4|\
  fashion_coats|imbalanced|blobs_var|diabetes2|moons_scaled|\
  fashion_mixed|digits_even|bc_mean|classes3_hard|friedman3|\
  fashion_tops|digits_low|bc_worst|classes8|xor|\
  fashion_shoes|digits_high|bc_se|classes5_multi|linear_cut|\
  fashion_mid|digits_mid|wine_half|classes6_multi|spirals|\
  fashion_edges|digits_1479|diabetes_sex|classes4_wide|checker|\
  fashion_far|digits_358|bc_rotated|classes3_sparse|rings3|\
  fashion_blend|digits_round|wine_rest|classes7|roll4|\
  fashion_casual|digits_1267|bc_log|binary_multi|sine|\
  fashion_night|digits_3459|housing3|classes4_rep|wedges5|\
  fashion_bags|digits_02357|housing_age|classes5_imb|waves3|\
  fashion_7x7|digits_13568|digits_noisy|classes4_scaled|topics3|\
  housing_crime3|diabetes_bmi3|digits_shift|fashion_7x7b|mixed_tab|\
  housing_tax3|wine_color3|digits_thick|fashion_7x7c|classes4_ord|\
  housing_nox3|diabetes_s5_3|digits_rot|fashion_7x7d|bc_missing|\
  housing_rm3|wine_alcohol3|digits_blur|fashion_7x7e|classes3_cat|\
  housing_lstat3|diabetes_age3|digits_thin|fashion_7x7f|classes4_gaps|\
  housing_dis3|wine_flav3|digits_patch|fashion_7x7g|classes5_typos|\
  housing_ptratio3|diabetes_s1_3|digits_salt|fashion_7x7h|classes6_tails|\
  housing_indus3|wine_phenols3|digits_lower|fashion_7x7i|classes4_skew) ;;
  *) echo "autows-data.sh: unknown dataset '$name'" >&2; exit 2;;
esac
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
"${PYTHON:-/usr/bin/python3}" - "$name" "$tmp" <<'PY'
import csv, gzip, sys
import numpy as np
name, out = sys.argv[1], sys.argv[2]
# Fashion-MNIST's subsets: their classes, the seed that draws their images,
# how many it draws, and from which of the two files (the 60,000 training
# images or the 10,000 test ones). The fashion_7x7* sets are pooled to 7x7
# pixels.
FASHION_SUBSETS = {"fashion_upper": ([0, 2, 3, 4, 6], 3, 4000, "t10k"),
                   "fashion_feet": ([1, 5, 7, 8, 9], 4, 4000, "t10k"),
                   "fashion_coats": ([2, 4, 6, 7, 9], 5, 4000, "t10k"),
                   "fashion_mixed": ([0, 1, 3, 5, 8], 6, 4000, "train"),
                   "fashion_tops": ([0, 3, 6, 7, 8], 7, 4000, "train"),
                   "fashion_shoes": ([2, 3, 5, 7, 8], 8, 4000, "t10k"),
                   "fashion_mid": ([1, 2, 4, 5, 6], 9, 4000, "t10k"),
                   "fashion_edges": ([0, 1, 4, 7, 9], 10, 4000, "train"),
                   "fashion_far": ([1, 3, 6, 8, 9], 11, 4000, "t10k"),
                   "fashion_blend": ([0, 2, 5, 8, 9], 12, 4000, "train"),
                   "fashion_casual": ([0, 1, 2, 6, 7], 13, 4000, "t10k"),
                   "fashion_night": ([3, 4, 5, 6, 9], 14, 4000, "train"),
                   "fashion_bags": ([1, 2, 3, 5, 8], 15, 4000, "t10k"),
                   "fashion_7x7": ([0, 1, 4, 7, 9], 16, 4000, "t10k"),
                   "fashion_7x7b": ([2, 3, 5, 6, 8], 17, 4000, "train"),
                   "fashion_7x7c": ([0, 2, 4, 6], 18, 3000, "t10k"),
                   "fashion_7x7d": ([1, 3, 7, 8, 9], 19, 3000, "train"),
                   "fashion_7x7e": ([0, 1, 5, 6, 8], 20, 3000, "t10k"),
                   "fashion_7x7f": ([2, 4, 5, 7, 9], 21, 3000, "train"),
                   "fashion_7x7g": ([0, 3, 4, 8, 9], 22, 3000, "t10k"),
                   "fashion_7x7h": ([1, 2, 6, 7, 8], 23, 3000, "train"),
                   "fashion_7x7i": ([0, 1, 2, 5, 9], 24, 3000, "t10k")}
if name in ("fashion", "fashion_t10k") or name in FASHION_SUBSETS:
    d = "/usr/share/datasets/fashion-mnist"
    part = FASHION_SUBSETS[name][3] if name in FASHION_SUBSETS else "train" if name == "fashion" else "t10k"
    try:
        with gzip.open(d + "/" + part + "-images-idx3-ubyte.gz") as f:
            X = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28).astype(float)
        with gzip.open(d + "/" + part + "-labels-idx1-ubyte.gz") as f:
            y = np.frombuffer(f.read(), np.uint8, offset=8)
    except FileNotFoundError:
        sys.exit("autows-data.sh: install dataset-fashion-mnist (apt-get install dataset-fashion-mnist)")
    if name in FASHION_SUBSETS:
        classes, seed, images, _ = FASHION_SUBSETS[name]
        keep = np.flatnonzero(np.isin(y, classes))
        pick = keep[np.random.RandomState(seed).permutation(len(keep))[:images]]
    else:
        pick = np.random.RandomState(0 if name == "fashion" else 1).permutation(len(y))[:5000]
    if name.startswith("fashion_7x7"):
        X = X[pick].reshape(-1, 7, 4, 7, 4).mean(axis=(2, 4)).reshape(len(pick), -1)
    else:
        X = X[pick].reshape(-1, 14, 2, 14, 2).mean(axis=(2, 4)).reshape(len(pick), -1)
    names = ["tshirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot"]
    y = [names[v] for v in y[pick]]
else:
    from sklearn import datasets as sd
    from sklearn.datasets import make_classification, make_moons

    def boston():
        # sklearn's bundled copy of the Boston housing table: 13 columns + the value
        import os
        path = os.path.join(os.path.dirname(sd.__file__), "data", "boston_house_prices.csv")
        return np.loadtxt(path, delimiter=",", skiprows=2)

    def tertiles(t):
        return np.digitize(t, np.quantile(t, [1 / 3, 2 / 3]))

    def boston_cut(col):
        # one of Boston housing's columns in tertiles, from the other columns and the value (B dropped)
        D = boston()
        return np.delete(D, [col, 11], axis=1), tertiles(D[:, col])

    def wine_cut(col):
        # one of wine's 13 columns in tertiles, from the other 12
        W, _ = sd.load_wine(return_X_y=True)
        return np.delete(W, col, axis=1), tertiles(W[:, col])

    def with_neighbours(X, pick):
        # each 8x8 image's pixel combined by pick (np.maximum thickens the strokes, np.minimum thins them)
        # with its right neighbour, then with its lower one, both as they were
        im = X.reshape(-1, 8, 8)
        out = im.copy()
        out[:, :, :-1] = pick(out[:, :, :-1], im[:, :, 1:])
        out[:, :-1, :] = pick(out[:, :-1, :], im[:, 1:, :])
        return out.reshape(len(X), -1)

    def diabetes_cut(col):
        # one of diabetes' columns in tertiles, from the others and the disease progression
        D, t = sd.load_diabetes(return_X_y=True, scaled=False)
        return np.column_stack([np.delete(D, col, axis=1), t]), tertiles(D[:, col])
    if name == "classification":
        X, y = make_classification(n_samples=3000, n_features=20, n_informative=5, n_redundant=5, n_classes=4,
                                   n_clusters_per_class=2, flip_y=0.05, random_state=11)
    elif name == "circles":
        X, y = sd.make_circles(n_samples=3000, noise=0.15, factor=0.5, random_state=21)
        X = np.hstack([X, np.random.RandomState(21).normal(size=(len(y), 6))])
    elif name == "quantiles":
        X, y = sd.make_gaussian_quantiles(n_samples=3000, n_features=6, n_classes=3, random_state=22)
    elif name == "classes6":
        X, y = make_classification(n_samples=3000, n_features=30, n_informative=8, n_redundant=4, n_classes=6,
                                   n_clusters_per_class=1, class_sep=0.8, flip_y=0.03, random_state=23)
    elif name == "diabetes3":
        X, t = sd.load_diabetes(return_X_y=True)
        y = tertiles(t)
    elif name == "blobs":
        X, y = sd.make_blobs(n_samples=3000, centers=5, n_features=10, cluster_std=3.0, random_state=31)
    elif name == "classification3":
        X, y = make_classification(n_samples=3000, n_features=40, n_informative=6, n_redundant=2, n_classes=3,
                                   n_clusters_per_class=3, class_sep=1.2, flip_y=0.02, random_state=32)
    elif name == "moons_wide":
        X, y = make_moons(n_samples=3000, noise=0.3, random_state=33)
        X = np.hstack([X, np.random.RandomState(33).normal(size=(len(y), 20))])
    elif name == "digits4":
        X, y = sd.load_digits(return_X_y=True)
        X = X.reshape(-1, 4, 2, 4, 2).mean(axis=(2, 4)).reshape(len(y), -1)
    elif name == "bc_noise":
        X, y = sd.load_breast_cancer(return_X_y=True)
        X = np.hstack([X, np.random.RandomState(43).normal(size=(len(y), 20))])
    elif name == "aniso":
        X, y = sd.make_blobs(n_samples=3000, centers=4, n_features=2, cluster_std=1.2, random_state=44)
        X = X @ np.array([[0.6, -0.64], [-0.41, 0.85]])
        X = np.hstack([X, np.random.RandomState(44).normal(size=(len(y), 8))])
    elif name == "classes5":
        X, y = make_classification(n_samples=3000, n_features=15, n_informative=6, n_redundant=0, n_classes=5,
                                   n_clusters_per_class=2, flip_y=0.08, random_state=45)
    elif name in ("wine_noise", "iris_noise"):
        X, y = (sd.load_wine if name == "wine_noise" else sd.load_iris)(return_X_y=True)
        X = np.hstack([X, np.random.RandomState(51 if name == "wine_noise" else 53).normal(
            size=(len(y), 10 if name == "wine_noise" else 6))])
    elif name == "digits_odd":
        X, y = sd.load_digits(return_X_y=True)
        X, y = X[y % 2 == 1], y[y % 2 == 1]
    elif name == "classes4":
        X, y = make_classification(n_samples=3000, n_features=12, n_informative=4, n_redundant=4, n_classes=4,
                                   n_clusters_per_class=1, class_sep=0.6, flip_y=0.05, random_state=55)
    elif name == "imbalanced":
        X, y = make_classification(n_samples=3000, n_features=12, n_informative=6, n_redundant=2, n_classes=4,
                                   n_clusters_per_class=1, weights=[0.55, 0.25, 0.15, 0.05], flip_y=0.02,
                                   random_state=61)
    elif name == "blobs_var":
        X, y = sd.make_blobs(n_samples=3000, centers=4, n_features=8, cluster_std=[1.0, 2.5, 0.5, 1.8],
                             random_state=62)
    elif name == "diabetes2":
        X, t = sd.load_diabetes(return_X_y=True)
        y = (t > np.median(t)).astype(int)
    elif name == "moons_scaled":
        X, y = make_moons(n_samples=3000, noise=0.25, random_state=65)
        X = np.hstack([X, np.random.RandomState(65).normal(size=(len(y), 12))])
        X = X * 10.0 ** (np.arange(X.shape[1]) % 6 - 2)
    elif name == "digits_even":
        X, y = sd.load_digits(return_X_y=True)
        X, y = X[y % 2 == 0], y[y % 2 == 0]
    elif name == "bc_mean":
        X, y = sd.load_breast_cancer(return_X_y=True)
        X = X[:, :10]
    elif name == "classes3_hard":
        X, y = make_classification(n_samples=3000, n_features=10, n_informative=3, n_redundant=1, n_classes=3,
                                   n_clusters_per_class=2, class_sep=0.7, flip_y=0.10, random_state=71)
    elif name == "friedman3":
        X, t = sd.make_friedman1(n_samples=3000, n_features=10, noise=1.0, random_state=73)
        y = tertiles(t)
    elif name == "digits_low":
        X, y = sd.load_digits(return_X_y=True)
        X, y = X[y <= 5], y[y <= 5]
    elif name == "bc_worst":
        X, y = sd.load_breast_cancer(return_X_y=True)
        X = X[:, 20:]
    elif name == "classes8":
        X, y = make_classification(n_samples=3000, n_features=25, n_informative=10, n_redundant=5, n_classes=8,
                                   n_clusters_per_class=1, class_sep=1.0, flip_y=0.04, random_state=81)
    elif name == "xor":
        r = np.random.RandomState(85)
        c = r.randint(0, 4, 3000)
        C = np.array([[1.5, 1.5], [-1.5, 1.5], [-1.5, -1.5], [1.5, -1.5]])[c]
        X2 = C + r.normal(scale=0.9, size=(3000, 2))
        y = (X2[:, 0] * X2[:, 1] > 0).astype(int)
        X = np.hstack([X2, r.normal(size=(3000, 10))])
    elif name == "digits_high":
        X, y = sd.load_digits(return_X_y=True)
        X, y = X[y >= 4], y[y >= 4]
    elif name == "bc_se":
        X, y = sd.load_breast_cancer(return_X_y=True)
        X = X[:, 10:20]
    elif name == "classes5_multi":
        X, y = make_classification(n_samples=3000, n_features=30, n_informative=5, n_redundant=10, n_classes=5,
                                   n_clusters_per_class=3, class_sep=1.5, flip_y=0.03, random_state=91)
    elif name == "linear_cut":
        X, t = sd.make_regression(n_samples=3000, n_features=15, n_informative=8, noise=20.0, random_state=95)
        y = tertiles(t)
    elif name == "digits_mid":
        X, y = sd.load_digits(return_X_y=True)
        keep = (y >= 2) & (y <= 7)
        X, y = X[keep], y[keep]
    elif name == "wine_half":
        X, y = sd.load_wine(return_X_y=True)
        X = X[:, :6]
    elif name == "classes6_multi":
        X, y = make_classification(n_samples=3000, n_features=20, n_informative=6, n_redundant=4, n_classes=6,
                                   n_clusters_per_class=2, class_sep=1.2, flip_y=0.05, random_state=101)
    elif name == "spirals":
        r = np.random.RandomState(105)
        y = r.randint(0, 2, 3000)
        t = r.uniform(0.25, 1.5, 3000) * 2 * np.pi
        rad = t / np.pi + r.normal(scale=0.35, size=3000)
        X2 = np.column_stack([rad * np.cos(t + np.pi * y), rad * np.sin(t + np.pi * y)])
        X = np.hstack([X2, r.normal(size=(3000, 6))])
    elif name in ("digits_1479", "digits_358", "digits_round", "digits_1267", "digits_3459", "digits_02357",
                  "digits_13568"):
        X, y = sd.load_digits(return_X_y=True)
        keep = np.isin(y, {"digits_1479": [1, 4, 7, 9], "digits_358": [2, 3, 5, 8], "digits_round": [0, 6, 8, 9],
                             "digits_1267": [1, 2, 6, 7], "digits_3459": [3, 4, 5, 9],
                             "digits_02357": [0, 2, 3, 5, 7], "digits_13568": [1, 3, 5, 6, 8]}[name])
        X, y = X[keep], y[keep]
    elif name == "digits_noisy":
        X, y = sd.load_digits(return_X_y=True)
        X = np.clip(X + np.random.RandomState(173).normal(scale=2.0, size=X.shape), 0, 16)
    elif name == "classes4_scaled":
        X, y = make_classification(n_samples=3000, n_features=12, n_informative=5, n_redundant=2, n_classes=4,
                                   n_clusters_per_class=2, class_sep=1.0, flip_y=0.03, random_state=171)
        X = X * 10.0 ** np.random.RandomState(171).uniform(-2, 3, X.shape[1])
    elif name == "topics3":
        r = np.random.RandomState(175)
        topics = r.dirichlet(np.full(60, 0.3), 3)
        back = r.dirichlet(np.full(60, 1.0))
        y = r.randint(0, 3, 3000)
        X = np.array([r.multinomial(r.poisson(40), 0.7 * topics[c] + 0.3 * back) for c in y], dtype=float)
    elif name == "diabetes_sex":
        D, t = sd.load_diabetes(return_X_y=True, scaled=False)
        X = np.column_stack([np.delete(D, 1, axis=1), t])
        y = (D[:, 1] > 1.5).astype(int)
    elif name == "classes4_wide":
        X, y = make_classification(n_samples=3000, n_features=50, n_informative=10, n_redundant=10, n_classes=4,
                                   n_clusters_per_class=2, class_sep=1.0, flip_y=0.05, random_state=111)
    elif name == "checker":
        r = np.random.RandomState(115)
        X2 = r.uniform(0, 3, size=(3000, 2))
        y = (np.floor(X2[:, 0]).astype(int) + np.floor(X2[:, 1]).astype(int)) % 2
        X = np.hstack([X2, r.normal(size=(3000, 8))])
    elif name == "bc_rotated":
        X, y = sd.load_breast_cancer(return_X_y=True)
        r = np.random.RandomState(123)
        Q, _ = np.linalg.qr(r.normal(size=(X.shape[1], X.shape[1])))
        X = ((X - X.mean(axis=0)) / X.std(axis=0)) @ Q
        X = np.hstack([X, r.normal(size=(len(y), 10))])
    elif name == "classes3_sparse":
        X, y = make_classification(n_samples=3000, n_features=80, n_informative=5, n_redundant=0, n_classes=3,
                                   n_clusters_per_class=1, class_sep=1.2, flip_y=0.02, random_state=121)
    elif name == "rings3":
        r = np.random.RandomState(125)
        y = r.randint(0, 3, 3000)
        a = r.uniform(0, 2 * np.pi, 3000)
        rad = (y + 1.0) + r.normal(scale=0.25, size=3000)
        X = np.hstack([np.column_stack([rad * np.cos(a), rad * np.sin(a)]), r.normal(size=(3000, 6))])
    elif name == "wine_rest":
        X, y = sd.load_wine(return_X_y=True)
        X = X[:, 6:]
    elif name == "classes7":
        X, y = make_classification(n_samples=3000, n_features=30, n_informative=8, n_redundant=6, n_classes=7,
                                   n_clusters_per_class=1, class_sep=1.3, flip_y=0.03, random_state=131)
    elif name == "roll4":
        X3, t = sd.make_swiss_roll(n_samples=3000, noise=0.5, random_state=135)
        y = np.digitize(t, np.quantile(t, [0.25, 0.5, 0.75]))
        X = np.hstack([X3, np.random.RandomState(135).normal(size=(3000, 6))])
    elif name == "bc_log":
        X, y = sd.load_breast_cancer(return_X_y=True)
        X = np.log1p(X)[:, np.sort(np.random.RandomState(141).permutation(X.shape[1])[:15])]
    elif name == "binary_multi":
        X, y = make_classification(n_samples=3000, n_features=40, n_informative=4, n_redundant=4, n_classes=2,
                                   n_clusters_per_class=4, class_sep=0.8, flip_y=0.03, random_state=143)
    elif name == "sine":
        r = np.random.RandomState(145)
        X2 = np.column_stack([r.uniform(-2, 2, 3000), r.uniform(-1.5, 1.5, 3000)])
        y = (X2[:, 1] > np.sin(3 * X2[:, 0])).astype(int)
        X = np.hstack([X2 + r.normal(scale=0.2, size=(3000, 2)), r.normal(size=(3000, 8))])
    elif name == "housing3":
        D = boston()
        X, t = np.delete(D[:, :-1], 11, axis=1), D[:, -1]
        y = tertiles(t)
    elif name == "housing_age":
        X, y = boston_cut(6)
    elif name == "classes5_imb":
        X, y = make_classification(n_samples=3000, n_features=25, n_informative=7, n_redundant=3, n_classes=5,
                                   n_clusters_per_class=2, weights=[0.4, 0.25, 0.15, 0.12, 0.08], class_sep=1.0,
                                   flip_y=0.03, random_state=161)
    elif name == "waves3":
        r = np.random.RandomState(165)
        X2 = r.uniform(-3, 3, size=(3000, 2))
        t = np.sin(X2[:, 0]) + np.cos(X2[:, 1])
        y = tertiles(t)
        X = np.hstack([X2 + r.normal(scale=0.1, size=(3000, 2)), r.normal(size=(3000, 8))])
    elif name == "housing_tax3":
        X, y = boston_cut(9)
    elif name == "wine_color3":
        X, y = wine_cut(9)
    elif name == "digits_thick":
        X, y = sd.load_digits(return_X_y=True)
        X = with_neighbours(X, np.maximum)
    elif name == "classes4_ord":
        r = np.random.RandomState(181)
        X = r.normal(size=(3000, 14))
        X[:, 11:] = r.standard_t(2, size=(3000, 3))
        t = X[:, :6] @ r.uniform(0.3, 1.0, 6) + r.logistic(scale=0.6, size=3000)
        y = np.digitize(t, np.quantile(t, [0.25, 0.5, 0.75]))
    elif name == "housing_nox3":
        X, y = boston_cut(4)
    elif name == "diabetes_s5_3":
        X, y = diabetes_cut(8)
    elif name == "digits_rot":
        from scipy import ndimage
        X, y = sd.load_digits(return_X_y=True)
        angles = np.random.RandomState(183).uniform(-20, 20, len(y))
        X = np.array([np.clip(ndimage.rotate(im.reshape(8, 8), a, reshape=False, order=1), 0, 16).ravel()
                      for im, a in zip(X, angles)])
    elif name == "bc_missing":
        X, y = sd.load_breast_cancer(return_X_y=True)
        gone = np.random.RandomState(185).uniform(size=X.shape) < 0.15
        X = np.where(gone, np.median(X, axis=0), X)
    elif name == "housing_rm3":
        X, y = boston_cut(5)
    elif name == "wine_alcohol3":
        X, y = wine_cut(0)
    elif name == "digits_blur":
        from scipy import ndimage
        X, y = sd.load_digits(return_X_y=True)
        X = np.array([ndimage.gaussian_filter(im.reshape(8, 8), 0.8).ravel() for im in X])
    elif name == "classes3_cat":
        X, y = make_classification(n_samples=3000, n_features=8, n_informative=4, n_redundant=1, n_classes=3,
                                   n_clusters_per_class=2, flip_y=0.03, random_state=187)
        level = np.digitize(X[:, 6], np.quantile(X[:, 6], [1 / 6, 2 / 6, 3 / 6, 4 / 6, 5 / 6]))
        X = np.column_stack([X[:, :6], np.exp(X[:, 7]), np.eye(6)[level]])
    elif name == "housing_lstat3":
        X, y = boston_cut(12)
    elif name == "diabetes_age3":
        X, y = diabetes_cut(0)
    elif name == "digits_thin":
        X, y = sd.load_digits(return_X_y=True)
        X = with_neighbours(X, np.minimum)
    elif name == "classes4_gaps":
        X, y = make_classification(n_samples=3000, n_features=12, n_informative=5, n_redundant=2, n_classes=4,
                                   n_clusters_per_class=2, flip_y=0.03, random_state=189, shuffle=False)
        gone = np.random.RandomState(189).uniform(size=(3000, 4)) < 0.2
        X[:, :4] = np.where(gone, X[:, :4].mean(axis=0), X[:, :4])
        order = np.random.RandomState(190).permutation(3000)  # unshuffled, the rows come by class
        X, y = X[order], y[order]
    elif name == "housing_dis3":
        X, y = boston_cut(7)
    elif name == "wine_flav3":
        X, y = wine_cut(6)
    elif name == "digits_patch":
        X, y = sd.load_digits(return_X_y=True)
        r = np.random.RandomState(191)
        im = X.reshape(-1, 8, 8).copy()
        for i, (a, b) in enumerate(r.randint(0, 6, size=(len(im), 2))):
            im[i, a:a + 3, b:b + 3] = 0
        X = im.reshape(len(X), -1)
    elif name == "classes5_typos":
        X, y = make_classification(n_samples=3000, n_features=10, n_informative=5, n_redundant=2, n_classes=5,
                                   n_clusters_per_class=1, flip_y=0.03, random_state=193)
        X = np.where(np.random.RandomState(193).uniform(size=X.shape) < 0.01, X * 100, X)
    elif name == "housing_ptratio3":
        X, y = boston_cut(10)
    elif name == "diabetes_s1_3":
        X, y = diabetes_cut(4)
    elif name == "digits_salt":
        X, y = sd.load_digits(return_X_y=True)
        X = np.where(np.random.RandomState(195).uniform(size=X.shape) < 0.05, 16.0, X)
    elif name == "classes6_tails":
        X, y = make_classification(n_samples=3000, n_features=12, n_informative=6, n_redundant=2, n_classes=6,
                                   n_clusters_per_class=1, flip_y=0.03, random_state=197)
        X = X + 0.5 * np.random.RandomState(197).standard_t(3, size=X.shape)
    elif name == "housing_indus3":
        X, y = boston_cut(2)
    elif name == "wine_phenols3":
        X, y = wine_cut(5)
    elif name == "digits_lower":
        X, y = sd.load_digits(return_X_y=True)
        X = X.reshape(-1, 8, 8)[:, 3:, :].reshape(len(y), -1)
    elif name == "classes4_skew":
        X, y = make_classification(n_samples=3000, n_features=10, n_informative=5, n_redundant=2, n_classes=4,
                                   n_clusters_per_class=2, flip_y=0.03, random_state=199)
        cols = np.random.RandomState(199).permutation(10)[:5]
        X[:, cols] = np.exp(X[:, cols])
    elif name == "housing_crime3":
        X, y = boston_cut(0)
    elif name == "diabetes_bmi3":
        X, y = diabetes_cut(2)
    elif name == "digits_shift":
        X, y = sd.load_digits(return_X_y=True)
        r = np.random.RandomState(177)
        im = X.reshape(-1, 8, 8)
        moved = np.zeros_like(im)
        for i, (dx, dy) in enumerate(r.randint(-1, 2, size=(len(y), 2))):
            src = im[i][max(0, -dy):8 - max(0, dy), max(0, -dx):8 - max(0, dx)]
            moved[i][max(0, dy):max(0, dy) + src.shape[0], max(0, dx):max(0, dx) + src.shape[1]] = src
        X = moved.reshape(len(y), -1)
    elif name == "mixed_tab":
        X, y = make_classification(n_samples=3000, n_features=10, n_informative=4, n_redundant=2, n_classes=3,
                                   n_clusters_per_class=2, flip_y=0.03, random_state=179)
        r = np.random.RandomState(179)
        X[:, 0:3] = r.poisson(np.exp(np.clip(X[:, 0:3], -3, 3)))
        X[:, 3:5] = X[:, 3:5] > 0
        for j in (5, 6):
            X[:, j] = 1 + np.digitize(X[:, j], np.quantile(X[:, j], [0.2, 0.4, 0.6, 0.8]))
    elif name == "classes4_rep":
        X, y = make_classification(n_samples=3000, n_features=30, n_informative=6, n_redundant=4, n_repeated=4,
                                   n_classes=4, n_clusters_per_class=2, class_sep=1.1, flip_y=0.03, random_state=151)
    elif name == "wedges5":
        r = np.random.RandomState(155)
        a = r.uniform(0, 2 * np.pi, 3000)
        rad = r.uniform(0.3, 2.0, 3000)
        y = np.minimum((a / (2 * np.pi / 5)).astype(int), 4)
        X2 = np.column_stack([rad * np.cos(a), rad * np.sin(a)]) + r.normal(scale=0.15, size=(3000, 2))
        X = np.hstack([X2, r.normal(size=(3000, 8))])
    elif name == "hastie":
        X, y = sd.make_hastie_10_2(n_samples=3000, random_state=24)
        y = (y > 0).astype(int)
    else:
        X, y = make_moons(n_samples=3000, noise=0.2, random_state=12)
        X = np.hstack([X, np.random.RandomState(12).normal(size=(len(y), 8))])
    y = ["c%d" % v for v in y]
with open(out, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["f%d" % i for i in range(X.shape[1])] + ["label"])
    for row, label in zip(X, y):
        w.writerow(["%.6g" % v for v in row] + [label])
PY
mv "$tmp" "$out"
trap - EXIT
