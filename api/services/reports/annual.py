"""The annual report (政府信息公开工作年度报告, 2021 format): being written."""
