"""Figures from Nielsen's book, kept in one place so every demo prints them labelled as the book's."""

SINGLE_NEURON_INPUT = 1.0
SINGLE_NEURON_TARGET = 0.0
# name -> (w, b, the output the book reports for that start)
SINGLE_NEURON_STARTS = {"mild": (0.6, 0.9, 0.82), "saturated": (2.0, 2.0, 0.98)}
SINGLE_NEURON_ETA = 0.15  # the book's rate for the quadratic cost; our demo uses it for both costs
# The book's cross-entropy animation uses eta = 0.005 with an update that is not the true gradient a - y;
# with the true gradient that rate barely moves the neuron, so it is not a fair comparison.
BOOK_ANIMATION_CROSS_ENTROPY_ETA = 0.005
QUADRATIC_PLATEAU_EPOCHS = 150  # the saturated start barely moves for about this long under the quadratic cost

NETWORK_ACCURACY = 0.9542  # network.py, [784, 30, 10], quadratic cost, 30 epochs on MNIST
NETWORK2_ACCURACY = 0.9804  # network2.py, [784, 100, 10], 60 epochs, eta 0.1, lambda 5.0

OVERFITTING_TEST_ACCURACY = 0.8227  # 1,000 training images, no regularisation
OVERFITTING_L2_TEST_ACCURACY = 0.871  # the same with L2, lambda 0.1

FIRST_EPOCH_ACCURACY = {"large": 0.8643, "scaled": 0.9270}  # N(0,1) vs N(0,1/n_in) weights

VANISHING_GRADIENT_NORMS = (0.003, 0.017, 0.070, 0.285)  # hidden layers of [784, 30, 30, 30, 30, 10]

SIGMOID_SATURATES_AT = 36.7  # float64 sigmoid(z) is exactly 1.0 beyond this z

# Chapter 4 gives no figure for this; its claim, which the universality demo measures.
UNIVERSALITY_CLAIM = "one hidden layer can approximate any continuous function to any accuracy"

# Chapter 6: 20 feature maps of 5x5 shared weights and a bias vs a fully connected layer of 30 neurons
# on 28x28 inputs ("more than 40 times as many parameters").
CONV_FEATURE_MAPS = 20
CONV_PARAMETERS = 20 * (5 * 5 + 1)  # 520
FULLY_CONNECTED_PARAMETERS = 784 * 30 + 30  # 23,550
