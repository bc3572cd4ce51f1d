Feature: Every step has a time limit
  Scenario: A check hangs on one host
    Given I want to update hosts with class roles::dev_server
    And I want to update hosts with fact country=de
    And each step may take up to 1 second
    Then the nrpe check check_slow should pass
