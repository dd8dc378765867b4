import cv2

from speedlines.training.plots import plot_curves, read_epochs

CSV = """epoch,lr-Adam,step,train_loss_epoch,train_loss_step,val_dice,val_iou,val_loss
,0.001,0,,,,,
0,,9,,1.5,,,
0,,10,,,0.05,0.02,1.42
0,,10,1.70,,,,
,0.0005,11,,,,,
1,,21,,,0.13,0.07,1.29
1,,21,1.34,,,,
"""


def test_epoch_series_include_the_learning_rate(tmp_path):
    path = tmp_path / "metrics.csv"
    path.write_text(CSV)
    s = read_epochs(path)
    assert s["lr-Adam"] == {0: 0.001, 1: 0.0005}
    assert s["val_iou"] == {0: 0.02, 1: 0.07}
    assert s["train_loss_epoch"] == {0: 1.70, 1: 1.34}
    png = plot_curves(path, tmp_path / "curves.png")
    image = cv2.imread(str(png))
    assert image.shape[1] > 4 * image.shape[0] > 0, "four panels side by side"
